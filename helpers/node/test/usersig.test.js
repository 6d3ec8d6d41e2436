// The helper's signer against the vectors of docs/usersig.md and the vendor's own npm package.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { decodeUsersig, signature, usersig } from '../index.js';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2');
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';

test('the signatures of the documented vectors', () => {
  assert.equal(signature(KEY, 'xiaojun', 1400000000, 1700000000, 15552000), 'LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=');
  assert.equal(signature('secretkey', 'admin', 88888888, 1700000000, 86400), 'OAeJff0rlkSr2JHcOboMCke0fVEHXa46vmN7Z04y98U=');
  assert.equal(signature(KEY, 'xiaojun', 1400000000, 1700000000, 15552000, Buffer.from('abc')),
    'QjT201xPkXk/aM1e+y0vakZb0K2iPrFue++0s5y6bFM=');
});

test('a wrong key gives another signature (the check can fail)', () => {
  assert.notEqual(signature(`${KEY}x`, 'xiaojun', 1400000000, 1700000000, 15552000), 'LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=');
});

test('the same claims and signature as the vendor npm package', () => {
  const theirs = decodeUsersig(new Api(1400000000, KEY).genSig('xiaojun', 600));
  const ours = decodeUsersig(usersig(KEY, 'xiaojun', 1400000000, { expire: 600, issuedAt: theirs['TLS.time'] }));
  assert.deepEqual(ours, theirs);
});

test('round trip with userbuf', () => {
  const claims = decodeUsersig(usersig('k', 'admin', 1400000000, { expire: 60, issuedAt: 5, userbuf: Buffer.from([0, 255]) }));
  assert.equal(claims['TLS.userbuf'], 'AP8=');
  assert.equal(claims['TLS.sig'], signature('k', 'admin', 1400000000, 5, 60, Buffer.from([0, 255])));
});
