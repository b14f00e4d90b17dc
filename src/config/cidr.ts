import { isIP } from 'node:net';

/** An address block; IPv4 blocks are also matched against IPv4-mapped IPv6 addresses. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly prefix: number;
  readonly text: string;
}

/** Parses an IPv4 or IPv6 address into its family and integer value. */
export function ipToBigInt(address: string): { family: 4 | 6; value: bigint } {
  const kind = isIP(address);
  if (kind === 4) {
    const value = address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (kind === 6) {
    let text = address;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4?.[1]) {
      const n = ipToBigInt(v4[1]).value;
      text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head = '', tail] = text.split('::');
    const headParts = head === '' ? [] : head.split(':');
    const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
    const missing = 8 - headParts.length - tailParts.length;
    const parts = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
    const value = parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
    return { family: 6, value };
  }
  throw new Error(`not an IP address: ${address}`);
}

export function parseCidr(text: string): Cidr {
  const [address = '', prefixText] = text.trim().split('/');
  const kind = isIP(address);
  if (kind === 0) throw new Error(`"${text}" is not a CIDR block (address/prefix)`);
  const max = kind === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  )
    throw new Error(`"${text}" has an invalid prefix length`);
  const { family, value } = ipToBigInt(address);
  return { family, bits: value >> BigInt(max - prefix), prefix, text: `${address}/${prefix}` };
}

export function parseCidrList(raw: string): Cidr[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCidr);
}

/** Whether an address lies in the block (an IPv4-mapped IPv6 address matches IPv4 blocks). */
export function cidrContains(cidr: Cidr, address: string): boolean {
  let { family, value } = ipToBigInt(address);
  if (family === 6 && cidr.family === 4 && value >> 32n === 0xffffn) {
    family = 4;
    value &= 0xffffffffn;
  }
  if (family !== cidr.family) return false;
  const max = family === 4 ? 32 : 128;
  return value >> BigInt(max - cidr.prefix) === cidr.bits;
}
