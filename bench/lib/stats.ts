export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export const max = (values: number[]) => values.reduce((m, v) => Math.max(m, v), 0);

/** `ss -tuanpie` output for `count` sockets, shaped like a Linux machine's (as the parser tests use). */
export function syntheticSs(count: number): string {
  const lines = ['Netid State     Recv-Q Send-Q      Local Address:Port        Peer Address:Port Process'];
  for (let i = 0; i < count; i++) {
    const port = 1024 + (i % 60_000);
    const pid = 1000 + (i % 5000);
    const local = `10.0.${(i >> 8) & 255}.${i & 255}:${port}`;
    if (i % 10 === 0) {
      lines.push(`tcp   LISTEN    0      511   ${local}   0.0.0.0:*     users:(("srv",pid=${pid},fd=${i % 900})) uid:1000 ino:${100_000 + i} sk:${i.toString(16)} cgroup:/user.slice <->`, '\t cubic cwnd:10');
    } else {
      lines.push(
        `tcp   ESTAB     0      0     ${local}   10.1.2.3:443 users:(("chrome",pid=${pid},fd=${i % 900})) timer:(keepalive,59sec,0) uid:1000 ino:${100_000 + i} sk:${i.toString(16)} cgroup:/user.slice <->`,
        `\t ts sack cubic wscale:7,7 rto:204 rtt:${(i % 100) / 10 + 0.1}/0.5 ato:40 mss:1448 pmtu:1500 rcvmss:1448 advmss:1448 cwnd:10 bytes_sent:${i * 10} bytes_acked:${i * 10 + 1} bytes_received:${i * 20} segs_out:20 segs_in:30 send 56.8Mbps lastsnd:1000 lastrcv:1000 lastack:1000 rcv_space:14480 minrtt:0.1`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
