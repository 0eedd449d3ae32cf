// The flags every test tool starts code-server with: loopback only, no login, nothing
// that reaches out (telemetry, update checks, proxies), no workspace-trust prompt.
export function codeServerFlags({ port, userDataDir, extensionsDir }) {
  return [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
}
