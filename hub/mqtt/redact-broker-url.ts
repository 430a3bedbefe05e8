/**
 * A broker URL fit for logs and the console: `mqtt://hub:PASSWORD@host:1883` carries the hub's password,
 * which must not end up in log files or terminal scrollback. The user name stays: it says which account failed.
 */
export function redactBrokerUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL after all: still hide whatever sits where a password would.
    return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  }
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
