// The CGI variables the transport itself reads, picked out while a header block is decoded, so the keyed
// record of every variable (a dictionary of 20-40 entries) is only built when an app asks for it.

/** The variables request mapping and the parser read; a fixed-shape object, one field each. */
export class KnownVariables {
  CONTENT_LENGTH: string | undefined = undefined;
  SCGI: string | undefined = undefined;
  REQUEST_METHOD: string | undefined = undefined;
  REQUEST_URI: string | undefined = undefined;
  SCRIPT_NAME: string | undefined = undefined;
  PATH_INFO: string | undefined = undefined;
  QUERY_STRING: string | undefined = undefined;
  CONTENT_TYPE: string | undefined = undefined;
  SERVER_PROTOCOL: string | undefined = undefined;
  REMOTE_ADDR: string | undefined = undefined;
  REMOTE_PORT: string | undefined = undefined;
  SERVER_ADDR: string | undefined = undefined;
  SERVER_PORT: string | undefined = undefined;
  HTTPS: string | undefined = undefined;
  REQUEST_SCHEME: string | undefined = undefined;
}

/** A new record with the same values (field by field: a fixed shape, no keyed copy). */
export function copyKnown(known: Readonly<KnownVariables>): KnownVariables {
  const copy = new KnownVariables();
  copy.CONTENT_LENGTH = known.CONTENT_LENGTH;
  copy.SCGI = known.SCGI;
  copy.REQUEST_METHOD = known.REQUEST_METHOD;
  copy.REQUEST_URI = known.REQUEST_URI;
  copy.SCRIPT_NAME = known.SCRIPT_NAME;
  copy.PATH_INFO = known.PATH_INFO;
  copy.QUERY_STRING = known.QUERY_STRING;
  copy.CONTENT_TYPE = known.CONTENT_TYPE;
  copy.SERVER_PROTOCOL = known.SERVER_PROTOCOL;
  copy.REMOTE_ADDR = known.REMOTE_ADDR;
  copy.REMOTE_PORT = known.REMOTE_PORT;
  copy.SERVER_ADDR = known.SERVER_ADDR;
  copy.SERVER_PORT = known.SERVER_PORT;
  copy.HTTPS = known.HTTPS;
  copy.REQUEST_SCHEME = known.REQUEST_SCHEME;
  return copy;
}

export type KnownVariableName = keyof KnownVariables;

/** Not a known variable: {@link knownSlot}'s answer for every other name. */
export const UNKNOWN = -1;

const SLOTS = new Map<string, number>(
  Object.keys(new KnownVariables()).map((name, slot) => [name, slot] as const),
);

/** The slot of a known variable's name (its field's position), or {@link UNKNOWN}. */
export function knownSlot(name: string): number {
  return SLOTS.get(name) ?? UNKNOWN;
}

/**
 * Sets a known variable by slot; false when it was set already (the caller reports the repeat). A switch
 * on the slot, where a keyed store with fifteen different names would go through V8's megamorphic cache.
 */
export function setKnown(known: KnownVariables, slot: number, value: string): boolean {
  switch (slot) {
    case 0:
      if (known.CONTENT_LENGTH !== undefined) return false;
      known.CONTENT_LENGTH = value;
      return true;
    case 1:
      if (known.SCGI !== undefined) return false;
      known.SCGI = value;
      return true;
    case 2:
      if (known.REQUEST_METHOD !== undefined) return false;
      known.REQUEST_METHOD = value;
      return true;
    case 3:
      if (known.REQUEST_URI !== undefined) return false;
      known.REQUEST_URI = value;
      return true;
    case 4:
      if (known.SCRIPT_NAME !== undefined) return false;
      known.SCRIPT_NAME = value;
      return true;
    case 5:
      if (known.PATH_INFO !== undefined) return false;
      known.PATH_INFO = value;
      return true;
    case 6:
      if (known.QUERY_STRING !== undefined) return false;
      known.QUERY_STRING = value;
      return true;
    case 7:
      if (known.CONTENT_TYPE !== undefined) return false;
      known.CONTENT_TYPE = value;
      return true;
    case 8:
      if (known.SERVER_PROTOCOL !== undefined) return false;
      known.SERVER_PROTOCOL = value;
      return true;
    case 9:
      if (known.REMOTE_ADDR !== undefined) return false;
      known.REMOTE_ADDR = value;
      return true;
    case 10:
      if (known.REMOTE_PORT !== undefined) return false;
      known.REMOTE_PORT = value;
      return true;
    case 11:
      if (known.SERVER_ADDR !== undefined) return false;
      known.SERVER_ADDR = value;
      return true;
    case 12:
      if (known.SERVER_PORT !== undefined) return false;
      known.SERVER_PORT = value;
      return true;
    case 13:
      if (known.HTTPS !== undefined) return false;
      known.HTTPS = value;
      return true;
    case 14:
      if (known.REQUEST_SCHEME !== undefined) return false;
      known.REQUEST_SCHEME = value;
      return true;
    default:
      throw new RangeError(`no known CGI variable has slot ${slot}`);
  }
}
