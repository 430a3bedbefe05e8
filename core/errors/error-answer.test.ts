import { describe, expect, it } from 'vitest';
import { CodedError } from './coded-error.ts';
import { answerForError, errorAnswer, frameworkRefusalCode } from './error-answer.ts';

describe('error answers', () => {
  it("answer a code with the registry's status and message, or the message given", () => {
    expect(errorAnswer('TX_TOO_LARGE')).toEqual({ status: 413, body: { error: { code: 'TX_TOO_LARGE', message: 'payload exceeds the maximum transaction size' } } });
    expect(errorAnswer('INTERNAL')).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
    expect(errorAnswer('TX_NOT_FOUND', 'no transaction with this id on this kiosk').body.error.message).toBe('no transaction with this id on this kiosk');
  });

  it('answer a coded error with its code and message', () => {
    expect(answerForError(new CodedError('IDEMPOTENCY_KEY_REUSED', 'used for another request'))).toEqual({
      status: 409,
      body: { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'used for another request' } },
    });
  });

  it("answer the framework's own 4xx refusals with a code of the same status, and nothing else", () => {
    const framework = (statusCode: number) => Object.assign(new Error('framework says no'), { statusCode });
    expect(answerForError(framework(400))).toEqual({ status: 400, body: { error: { code: 'BAD_REQUEST', message: 'framework says no' } } });
    expect(answerForError(framework(413))?.status).toBe(413);
    expect(answerForError(framework(415))?.body.error.code).toBe('REQUEST_MEDIA_TYPE_UNSUPPORTED');
    expect(frameworkRefusalCode(404)).toBe('NOT_FOUND');
    expect(answerForError(framework(500))).toBeNull();
    expect(answerForError(new Error('defect'))).toBeNull();
    expect(answerForError(null)).toBeNull();
  });
});
