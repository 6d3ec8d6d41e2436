// TLSSigAPIv2 UserSigs (docs/usersig.md) with node:crypto and node:zlib only. The tests check it
// against the documented vectors and against the vendor's own npm package.
import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

function content(identifier, sdkappid, issuedAt, expire, userbufBase64) {
  let text = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkappid}\nTLS.time:${issuedAt}\nTLS.expire:${expire}\n`;
  if (userbufBase64 !== undefined) text += `TLS.userbuf:${userbufBase64}\n`;
  return text;
}

/** TLS.sig: base64 of HMAC-SHA256 over the content lines, keyed with the app's secret key. */
export function signature(secretKey, identifier, sdkappid, issuedAt, expire, userbuf) {
  const userbufBase64 = userbuf === undefined ? undefined : Buffer.from(userbuf).toString('base64');
  return createHmac('sha256', secretKey)
    .update(content(identifier, sdkappid, issuedAt, expire, userbufBase64))
    .digest('base64');
}

/** A whole UserSig: the claims as JSON, zlib-compressed, in the vendor's URL-safe base64. */
export function usersig(secretKey, identifier, sdkappid, { expire = 86400, issuedAt, userbuf } = {}) {
  const time = issuedAt ?? Math.floor(Date.now() / 1000);
  const claims = {
    'TLS.ver': '2.0',
    'TLS.identifier': identifier,
    'TLS.sdkappid': Number(sdkappid),
    'TLS.expire': Number(expire),
    'TLS.time': time,
  };
  if (userbuf !== undefined) claims['TLS.userbuf'] = Buffer.from(userbuf).toString('base64');
  claims['TLS.sig'] = signature(secretKey, identifier, sdkappid, time, expire, userbuf);
  return deflateSync(Buffer.from(JSON.stringify(claims))).toString('base64')
    .replaceAll('+', '*').replaceAll('/', '-').replaceAll('=', '_');
}

/** The claims of a UserSig. */
export function decodeUsersig(token) {
  const raw = token.replaceAll('*', '+').replaceAll('-', '/').replaceAll('_', '=');
  return JSON.parse(inflateSync(Buffer.from(raw, 'base64')).toString());
}
