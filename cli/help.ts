/** Every command's --help text: what it does, its options, and an example. */
export const USAGE: Record<string, string> = {
  main: `sockscope: see and touch real sockets from the command line (the engine of the Sockscope app)

Usage: sockscope <command> [options]      (from a checkout: npm run --silent cli -- <command> …)

Commands:
  listen     a TCP listener; prints each client and what it sends (optionally answering by rules)
  connect    a TCP (or Unix socket) connection: stdin is sent, what arrives is printed
  udp        a UDP endpoint: stdin lines are sent as datagrams, datagrams received are printed
  serve      a mock server answering by a rules file (listen --rules, or UDP with --udp)
  run        runs a send/expect script (exit 0: every expect passed, 1: one failed, 2: bad input)
  generate   a traffic generator: N connections, a rate or full speed, a count or a duration
  sockets    the machine's socket table (ss / netstat / lsof), with --json as a JSON array

Each command has --help. Ctrl-C closes every socket and exits 0.`,
  listen: `Usage: sockscope listen [--host H] --port P [--rules FILE] [--echo] [--tls [--cert C.pem --key K.pem]]
                       [--client-cert request|require --client-ca CA.pem] [--tls-min 1.2] [--tls-max 1.3]

Opens a TCP listener and prints "listening HOST:PORT" as its first line once bound, then one line
per client and per chunk received or sent. --rules FILE answers by a rules file (YAML or JSON, see
docs/rules.md); --echo sends back what arrives. --port 0 picks a free port. Default host 127.0.0.1.

TLS (--tls): every client speaks TLS; without --cert/--key, a self-signed certificate Sockscope
makes and keeps (its SHA-256 is printed to stderr).
  --cert FILE, --key FILE       the listener's certificate and key (PEM)
  --pass-file FILE              the key's passphrase, first line of FILE (or $SOCKSCOPE_TLS_PASSPHRASE;
                                never on the command line)
  --client-cert request|require ask clients for a certificate / refuse clients without a trusted one
  --client-ca FILE              the CAs client certificates are checked against (needed by require)
  --tls-min V, --tls-max V      TLS versions allowed: 1, 1.1, 1.2, 1.3
Each TLS client's accept line shows its version and certificate:
  accepted 127.0.0.1:50412 tls TLSv1.3 client-cert "CN=client" verified

  sockscope listen --port 7000
  sockscope listen --host 127.0.0.1 --port 0 --rules replies.yaml
  sockscope listen --port 8443 --tls --cert server.pem --key server.key --client-cert require --client-ca ca.pem`,
  connect: `Usage: sockscope connect --host H --port P | --path SOCKET [--timeout 10s] [--crlf]
                        [--tls [--insecure] [--servername NAME] [--cafile CA.pem] [--alpn h2,http/1.1]
                               [--tls-min 1.2] [--tls-max 1.3]
                               [--cert C.pem --key K.pem | --pfx ID.p12] [--pass-file FILE]]

Connects; every line read from stdin is sent (with LF, or CRLF with --crlf), and what arrives is
printed one chunk per line, control characters visible. End of stdin sends our FIN; the command
ends when the peer closes too, or on Ctrl-C.

With --tls the connection speaks TLS after connecting: the certificate is verified (against
--cafile, or the system's CAs, and the name) unless --insecure; the session (version, cipher, the
server's subject and SHA-256, the handshake's time) is printed to stderr; a certificate that is
not trusted exits 1 with why.
  --insecure                    do not verify the server's certificate (the session says NOT verified)
  --servername NAME             SNI, and the name the certificate must carry
  --cafile FILE                 trust these CAs (PEM) instead of the system's
  --alpn LIST                   ALPN protocols offered, comma-separated
  --tls-min V, --tls-max V      TLS versions allowed: 1, 1.1, 1.2, 1.3
  --cert FILE, --key FILE       a client certificate and its key (PEM), for mutual TLS
  --pfx FILE                    a client certificate and key in one PKCS#12 file
  --pass-file FILE              the key's passphrase, first line of FILE (or $SOCKSCOPE_TLS_PASSPHRASE;
                                never on the command line, where ps would show it)

  printf 'PING\\r\\n' | sockscope connect --host 127.0.0.1 --port 6379
  sockscope connect --tls --host 127.0.0.1 --port 8443 --cafile ca.pem
  sockscope connect --tls --host 127.0.0.1 --port 8443 --cafile ca.pem --pfx me.p12 --pass-file me.pass`,
  udp: `Usage: sockscope udp [--host H] [--port P] [--to HOST:PORT]

Binds a UDP endpoint (default 127.0.0.1, any free port) and prints "bound HOST:PORT"; each stdin
line is sent as one datagram to --to; each datagram received is printed with its sender.

  sockscope udp --port 5353 --to 127.0.0.1:53`,
  serve: `Usage: sockscope serve RULES [--host H] [--port P] [--udp]

A mock server: a TCP listener (or a UDP endpoint with --udp) that answers by the rules file RULES
(YAML or JSON). Prints "listening HOST:PORT" (or "bound HOST:PORT") first, then the traffic.

  sockscope serve whois-mock.yaml --port 4343`,
  run: `Usage: sockscope run SCRIPT [--json] [--junit FILE] [--quiet]

Runs a send/expect script (YAML or JSON, see docs/scripts.md). Prints one line per step; --json
prints JSON Lines instead (each step's result, then the end); --junit FILE also writes a JUnit XML
report. Exit status: 0 when every expect passed, 1 when a step failed, 2 for bad input.

  sockscope run redis-ping.yaml --junit results.xml`,
  generate: `Usage: sockscope generate (--host H --port P [--connections N] | --udp --host H --port P)
                          [--message TEXT | --hex HEX | --random BYTES]
                          [--rate N (messages/s) | --bytes-rate N (bytes/s)]
                          [--count N] [--duration 10s]

Sends messages as fast as the peer reads (or at the rate given) over N new connections (default
1) or as UDP datagrams, until the count or the duration is reached (default duration 10s) or
Ctrl-C. Prints the achieved rates every second and a summary at the end. TEXT takes escapes and
macros ({{counter}}, {{random}}…).

  sockscope generate --host 127.0.0.1 --port 9000 --connections 4 --rate 1000 --duration 30s`,
  sockets: `Usage: sockscope sockets [--json] [--unix]

Prints the machine's socket table from the OS's own commands (ss, netstat, lsof): --json prints
the rows as one JSON array; --unix includes Unix domain sockets (Linux).`,
};
