/**
 * The Lua scripts behind every store operation that must be atomic. Each write is one script: check
 * the stored resourceVersion, INCR the global counter, write the object and its index entry, XADD
 * the event with id `<rv>-0`, and trim the stream when it grows a batch past the history limit.
 *
 * Lua never re-encodes JSON (cjson would turn [] into {}): Node produces every JSON string and the
 * scripts only copy them. Stored values are `<rv>\n<json>`; the scripts split them with string.find.
 * Numbers pass through Lua doubles, exact for resourceVersions below 10^14.
 *
 * Scripts run through ioredis defineCommand (EVALSHA, falling back to EVAL after a Redis restart).
 */
import type { Redis } from 'ioredis';
import type { ResourceKeys } from './keys.js';

/** Appends the event and trims the stream; KEYS[4] = events, KEYS[5] = compacted. */
const RECORD = `
local function record(rv, kind, member, obj, prev, limit, batch)
  local id = rv .. '-0'
  if prev then
    redis.call('XADD', KEYS[4], id, 'type', kind, 'key', member, 'obj', obj, 'prev', prev)
  else
    redis.call('XADD', KEYS[4], id, 'type', kind, 'key', member, 'obj', obj)
  end
  if redis.call('XLEN', KEYS[4]) > limit + batch then
    redis.call('XTRIM', KEYS[4], 'MAXLEN', limit)
    local oldest = redis.call('XRANGE', KEYS[4], '-', '+', 'COUNT', 1)[1][1]
    redis.call('SET', KEYS[5], tostring(tonumber(string.match(oldest, '^%d+')) - 1))
  end
end
local function split(stored)
  local nl = string.find(stored, '\\n', 1, true)
  return string.sub(stored, 1, nl - 1), string.sub(stored, nl + 1)
end
`;

/** KEYS: rv objects index events compacted. ARGV: member json limit batch. Returns the rv or 'EXISTS'. */
const CREATE = `${RECORD}
local member, json = ARGV[1], ARGV[2]
if redis.call('HEXISTS', KEYS[2], member) == 1 then return 'EXISTS' end
local rv = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], member, rv .. '\\n' .. json)
redis.call('ZADD', KEYS[3], 0, member)
record(rv, 'ADDED', member, json, nil, tonumber(ARGV[3]), tonumber(ARGV[4]))
return rv
`;

/**
 * KEYS: rv objects index events compacted. ARGV: member json expectedRv('' = any) limit batch.
 * Returns the new rv (the stored one when json is unchanged: nothing is written), 'NOTFOUND' or 'CONFLICT'.
 */
const UPDATE = `${RECORD}
local member, json, expected = ARGV[1], ARGV[2], ARGV[3]
local stored = redis.call('HGET', KEYS[2], member)
if not stored then return 'NOTFOUND' end
local storedRv, prev = split(stored)
if expected ~= '' and expected ~= storedRv then return 'CONFLICT' end
if prev == json then return tonumber(storedRv) end
local rv = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], member, rv .. '\\n' .. json)
record(rv, 'MODIFIED', member, json, prev, tonumber(ARGV[4]), tonumber(ARGV[5]))
return rv
`;

/**
 * KEYS: rv objects index events compacted. ARGV: member expectedRv('' = any) lastJson('' = the stored one) limit batch.
 * The DELETED event carries lastJson. Returns the new rv, 'NOTFOUND' or 'CONFLICT'.
 */
const DELETE = `${RECORD}
local member, expected, last = ARGV[1], ARGV[2], ARGV[3]
local stored = redis.call('HGET', KEYS[2], member)
if not stored then return 'NOTFOUND' end
local storedRv, storedJson = split(stored)
if expected ~= '' and expected ~= storedRv then return 'CONFLICT' end
if last == '' then last = storedJson end
local rv = redis.call('INCR', KEYS[1])
redis.call('HDEL', KEYS[2], member)
redis.call('ZREM', KEYS[3], member)
record(rv, 'DELETED', member, last, nil, tonumber(ARGV[4]), tonumber(ARGV[5]))
return rv
`;

/**
 * KEYS: rv objects index. ARGV: min max count(0 = all).
 * Returns {rv, remaining, members, values}: one consistent read; `remaining` counts members after
 * the last returned one when `count` cut the range (0 otherwise).
 */
const LIST = `
local count = tonumber(ARGV[3])
local rv = redis.call('GET', KEYS[1]) or '0'
local members
if count > 0 then
  members = redis.call('ZRANGEBYLEX', KEYS[3], ARGV[1], ARGV[2], 'LIMIT', 0, count)
else
  members = redis.call('ZRANGEBYLEX', KEYS[3], ARGV[1], ARGV[2])
end
local values = {}
local chunk = 500
for i = 1, #members, chunk do
  local got = redis.call('HMGET', KEYS[2], unpack(members, i, math.min(i + chunk - 1, #members)))
  for j = 1, #got do values[#values + 1] = got[j] end
end
local remaining = 0
if count > 0 and #members == count then
  remaining = redis.call('ZLEXCOUNT', KEYS[3], '(' .. members[#members], ARGV[2])
end
return {rv, remaining, members, values}
`;

/**
 * KEYS: rv events compacted. ARGV: afterRv toId('+' or '<rv>-0') count.
 * Returns {rv, compacted, entries}: the counter, the compacted rv, and up to `count` stream entries
 * with afterRv < id <= toId (none when afterRv < compacted: that history is gone).
 */
const REPLAY = `
local compacted = redis.call('GET', KEYS[3]) or '0'
local rv = redis.call('GET', KEYS[1]) or '0'
if tonumber(ARGV[1]) < tonumber(compacted) then return {rv, compacted, {}} end
return {rv, compacted, redis.call('XRANGE', KEYS[2], ARGV[1] .. '-1', ARGV[2], 'COUNT', ARGV[3])}
`;

/** A stream entry as ioredis returns it: [id, [field, value, ...]]. */
export type StreamEntry = [string, string[]];

/** What a write script answers: the resourceVersion it wrote, or why it refused. */
export type WriteReply = number | 'EXISTS' | 'NOTFOUND' | 'CONFLICT';

export interface ListReply {
  rv: string;
  remaining: number;
  members: string[];
  values: string[];
}

export interface ReplayReply {
  rv: string;
  compacted: string;
  entries: StreamEntry[];
}

/** History trimming parameters passed to every write. */
export interface History {
  limit: number;
  batch: number;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

const DEFINITIONS = {
  tugCreate: { numberOfKeys: 5, lua: CREATE },
  tugUpdate: { numberOfKeys: 5, lua: UPDATE },
  tugDelete: { numberOfKeys: 5, lua: DELETE },
  tugList: { numberOfKeys: 3, lua: LIST },
  tugReplay: { numberOfKeys: 3, lua: REPLAY },
} as const;

/** Typed access to the scripts on one connection. */
export class Scripts {
  private readonly fns: Record<keyof typeof DEFINITIONS | 'tugListBuffer', ScriptFn>;

  constructor(redis: Redis, private readonly history: History) {
    for (const [name, def] of Object.entries(DEFINITIONS)) redis.defineCommand(name, def);
    // defineCommand also defines `<name>Buffer`, which answers Buffers instead of strings.
    const table = redis as unknown as Record<keyof typeof DEFINITIONS | 'tugListBuffer', ScriptFn>;
    this.fns = {
      tugCreate: table.tugCreate.bind(redis),
      tugUpdate: table.tugUpdate.bind(redis),
      tugDelete: table.tugDelete.bind(redis),
      tugList: table.tugList.bind(redis),
      tugReplay: table.tugReplay.bind(redis),
      tugListBuffer: table.tugListBuffer.bind(redis),
    };
  }

  async create(keys: ResourceKeys, member: string, json: string): Promise<WriteReply> {
    return (await this.fns.tugCreate(...writeKeys(keys), member, json, this.history.limit, this.history.batch)) as WriteReply;
  }

  /** `expectedRv` '' = unconditional. */
  async update(keys: ResourceKeys, member: string, json: string, expectedRv: string): Promise<WriteReply> {
    return (await this.fns.tugUpdate(...writeKeys(keys), member, json, expectedRv, this.history.limit, this.history.batch)) as WriteReply;
  }

  /** `expectedRv` '' = unconditional; `lastJson` '' = the DELETED event carries the stored object. */
  async delete(keys: ResourceKeys, member: string, expectedRv: string, lastJson: string): Promise<WriteReply> {
    return (await this.fns.tugDelete(...writeKeys(keys), member, expectedRv, lastJson, this.history.limit, this.history.batch)) as WriteReply;
  }

  async list(keys: ResourceKeys, min: string, max: string, count: number): Promise<ListReply> {
    const [rv, remaining, members, values] = (await this.fns.tugList(keys.rv, keys.objects, keys.index, min, max, count)) as [string, number, string[], string[]];
    return { rv, remaining, members, values };
  }

  /** Like list(), with members and values as Buffers (no UTF-8 decoding of large lists). */
  async listBuffers(keys: ResourceKeys, min: string, max: string, count: number): Promise<{ rv: string; remaining: number; members: Buffer[]; values: Buffer[] }> {
    const [rv, remaining, members, values] = (await this.fns.tugListBuffer(keys.rv, keys.objects, keys.index, min, max, count)) as [Buffer, number, Buffer[], Buffer[]];
    return { rv: rv.toString('latin1'), remaining, members, values };
  }

  async replay(keys: ResourceKeys, afterRv: number, toId: string, count: number): Promise<ReplayReply> {
    const [rv, compacted, entries] = (await this.fns.tugReplay(keys.rv, keys.events, keys.compacted, afterRv, toId, count)) as [string, string, StreamEntry[]];
    return { rv, compacted, entries };
  }
}

function writeKeys(keys: ResourceKeys): string[] {
  return [keys.rv, keys.objects, keys.index, keys.events, keys.compacted];
}
