import { describe, expect, it } from 'vitest';
import { FormatError, decodeMessage } from './decode.js';
import { TYPE } from './message.js';

/** Wire bytes from hex, whitespace ignored. */
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const HEADER_1Q = '1234 0100 0001 0000 0000 0000';
/** example.com IN A */
const QUESTION = '07 6578616d706c65 03 636f6d 00 0001 0001';

describe('decodeMessage', () => {
  it('decodes a query with its flags', () => {
    const m = decodeMessage(hex(`${HEADER_1Q} ${QUESTION}`));
    expect(m).toMatchObject({ id: 0x1234, qr: false, opcode: 0, rd: true, tc: false, rcode: 0, questions: [{ name: 'example.com', type: TYPE.A, class: 1 }] });
    expect(m.edns).toBeUndefined();
  });

  it('follows compression pointers in owner names and RDATA', () => {
    // answer: pointer to offset 12 (example.com) CNAME www + pointer to 12; then A for that name via pointer to the CNAME target.
    const m = decodeMessage(
      hex(`1234 8180 0001 0002 0000 0000 ${QUESTION}
           c00c 0005 0001 0000003c 0006 03 777777 c00c
           c029 0001 0001 0000003c 0004 c0000201`),
    );
    expect(m.answers).toEqual([
      { name: 'example.com', type: TYPE.CNAME, class: 1, ttl: 60, target: 'www.example.com' },
      { name: 'www.example.com', type: TYPE.A, class: 1, ttl: 60, address: '192.0.2.1' },
    ]);
  });

  it('reads the OPT record into edns and the extended rcode', () => {
    // OPT: root, type 41, udp 4096, ext-rcode 1, version 0, DO, one option (code 10, 2 bytes).
    const m = decodeMessage(hex(`1234 8100 0001 0000 0000 0001 ${QUESTION} 00 0029 1000 01 00 8000 0006 000a 0002 abcd`));
    expect(m.edns).toEqual({ udpSize: 4096, version: 0, dnssecOk: true, options: [{ code: 10, data: hex('abcd') }] });
    expect(m.rcode).toBe(16);
  });

  it.each([
    ['a header cut short', '1234 0100 00'],
    ['a question cut short', `${HEADER_1Q} 07 6578616d`],
    ['a pointer to itself', '1234 0100 0001 0000 0000 0000 c00c 0001 0001'],
    ['a pointer forwards', '1234 0100 0001 0000 0000 0000 c00e 0001 0001 00'],
    ['a pointer loop', '1234 0100 0001 0000 0000 0000 01 61 c00c 0001 0001'],
    ['an extended label type', '1234 0100 0001 0000 0000 0000 41 61 00 0001 0001'],
    ['a name over 255 bytes', `1234 0100 0001 0000 0000 0000 ${'3f' + '61'.repeat(63)}${('3f' + '61'.repeat(63)).repeat(3)} 00 0001 0001`],
    ['an A record of 5 bytes', `1234 8100 0001 0001 0000 0000 ${QUESTION} c00c 0001 0001 00000005 0005 0a00000101`],
    ['RDATA running past the message', `1234 8100 0001 0001 0000 0000 ${QUESTION} c00c 0001 0001 00000005 0010 0a000001`],
    ['a name in RDATA overrunning RDLENGTH', `1234 8100 0001 0001 0000 0000 ${QUESTION} c00c 0005 0001 00000005 0001 03 777777 c00c`],
    ['an OPT record in the answer section', `1234 8100 0001 0001 0000 0000 ${QUESTION} 00 0029 1000 00 00 0000 0000`],
    ['two OPT records', `1234 8100 0001 0000 0000 0002 ${QUESTION} 00 0029 1000 00 00 0000 0000 00 0029 1000 00 00 0000 0000`],
    ['an OPT record not at the root', `1234 8100 0001 0000 0000 0001 ${QUESTION} c00c 0029 1000 00 00 0000 0000`],
  ])('rejects %s with FormatError', (_, bytes) => {
    expect(() => decodeMessage(hex(bytes))).toThrow(FormatError);
  });
});
