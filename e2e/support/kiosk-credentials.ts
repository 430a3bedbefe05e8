/**
 * A kiosk's MQTT login for an in-process kiosk in a test, enrolled once per hub data directory and device id
 * (enrolForTest: the real enrolment functions on the hub's fleet), so a kiosk restarted under the same id in
 * the same test logs in with the credentials it was given, as a real one does from its data directory.
 */
import { enrolForTest, type DeviceCredentials } from '../../hub/testing/enrol-for-test.ts';
import type { TestHub } from '../../hub/testing/start-test-hub.ts';

const enrolled = new Map<string, Promise<DeviceCredentials>>();

/** `mode`: as the enrolment code says (attended by default: a counter kiosk that may take cash). */
export function kioskCredentials(
  env: TestHub,
  deviceId: string,
  options: { mode?: 'attended' | 'unattended' } = {},
): Promise<{ username: string; password: string; caPem: string; hqRootPublicKeyPem?: string }> {
  // The CA too: a data directory deleted and made again between tests is another hub, with another fleet.
  const key = `${env.caSha256}\n${env.dataDir}\n${deviceId}`;
  let credentials = enrolled.get(key);
  if (!credentials) {
    credentials = enrolForTest(env, deviceId, options.mode ? { mode: options.mode } : {});
    enrolled.set(key, credentials);
  }
  // With the hub's CA: a kiosk reaching the broker over TLS (env.brokerTlsUrl) trusts exactly that CA, as one
  // provisioned from a code does; and the HQ root it pins at enrolment, which signed configuration is checked against.
  return credentials.then(({ username, password }) => ({ username, password, caPem: env.caPem, ...(env.hqRootPublicKeyPem ? { hqRootPublicKeyPem: env.hqRootPublicKeyPem } : {}) }));
}
