// Runs once before the int and e2e projects: fails fast with a clear message when the
// real broker or database is not reachable (scripts/test.sh starts them).
import net from 'node:net';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function setup(): Promise<void> {
  const missing: string[] = [];
  if (!(await reachable('127.0.0.1', 5672))) missing.push('RabbitMQ on 127.0.0.1:5672 (start it: rabbitmq-server -detached)');
  if (!(await reachable('127.0.0.1', 5432)))
    missing.push('PostgreSQL on 127.0.0.1:5432 (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)');
  if (missing.length > 0) throw new Error(`integration tests need: ${missing.join('; ')}. Run them through npm test, which starts both.`);
}
