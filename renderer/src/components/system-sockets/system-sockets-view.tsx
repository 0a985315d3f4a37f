export function SystemSocketsView() {
  return <p className="muted">System sockets: coming in this session.</p>;
}
