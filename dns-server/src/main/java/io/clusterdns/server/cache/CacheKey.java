package io.clusterdns.server.cache;

import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;

/**
 * What a cached reply is filed under: name (dnsjava's {@link Name} compares and hashes case-insensitively,
 * so {@code WWW.Example.} and {@code www.example.} share an entry), type, class, and the DO and CD bits,
 * which change what an upstream returns (behaviours.md 11.4). Immutable.
 */
record CacheKey(Name name, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {

  static CacheKey of(Message query) {
    Record q = query.getQuestion();
    OPTRecord opt = query.getOPT();
    boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
    return new CacheKey(q.getName(), q.getType(), q.getDClass(), dnssecOk, query.getHeader().getFlag(Flags.CD));
  }
}
