/** `POST /api/enrol` over HTTPS, trusting only the pinned hub CA, verifying the host name as usual. */
import { request } from 'node:https';
import { CodedError } from '../../core/errors/coded-error.ts';
import { enrolAnswerSchema, type EnrolAnswer, type EnrolRequest } from '../../core/fleet/enrolment-wire.ts';

export async function requestEnrolment(hub: URL, caPem: string, body: EnrolRequest, timeoutMs = 10_000): Promise<EnrolAnswer> {
  const payload = JSON.stringify(body);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      new URL('/api/enrol', hub),
      { method: 'POST', ca: caPem, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error) => reject(new CodedError('ENROL_HUB_UNREACHABLE', `enrolment request to ${hub.host} failed: ${error.message}`)));
    req.end(payload);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  if (status !== 200) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CodedError('ENROL_HUB_REFUSED', `the hub refused the enrolment: ${error?.code ?? `HTTP ${status}`}${error?.message ? ` (${error.message})` : ''}`, { hubCode: error?.code });
  }
  const answer = enrolAnswerSchema.safeParse(json);
  if (!answer.success) throw new CodedError('ENROL_HUB_REFUSED', 'the hub answered the enrolment with something that is not an enrolment answer');
  return answer.data;
}
