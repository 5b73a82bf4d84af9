package io.clusterdns.server.query;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Response rate limiting for UDP, as Knot's {@code rrl} module and BIND's {@code rate-limit} do it against
 * reflection and amplification with spoofed sources (BCP 38 is not everywhere): each client prefix (IPv4 /24, IPv6
 * /56 by default) has a token bucket of {@code rate} responses per second. A response beyond it is dropped, except
 * every {@code slip}-th, which is sent truncated (TC=1, question only) so that a real client behind the prefix
 * retries over TCP and is served (RFC 7766); slip 0 drops all, 1 truncates all. TCP is never limited: its sources
 * cannot be spoofed. Unlike BIND, responses are not told apart by name or rcode: one bucket per prefix, which is the
 * whole of what a cluster DNS needs to stop being an amplifier.
 *
 * <p>Off unless configured, and then the listeners never call it. When on, each UDP query costs one small wrapper
 * of its reply sink, and each reply one compare-and-set on a fixed table ({@link PrefixBuckets}). The slip count is
 * process-wide. Thread-safe; one per process, kept across reloads.
 */
public final class ResponseRateLimiter {
  /** Slots of the bucket table: 2^16 longs, 512 KiB. */
  static final int SLOT_BITS = 16;

  /** BIND's default prefix lengths (and the CoreDNS rrl plugin's). */
  public static final int DEFAULT_IPV4_PREFIX = 24;
  public static final int DEFAULT_IPV6_PREFIX = 56;

  /** BIND's default slip: every second limited response is truncated, the other dropped. */
  public static final int DEFAULT_SLIP = 2;

  /** Highest slip accepted (BIND's range is 0-10). */
  public static final int MAX_SLIP = 10;

  /** Marks IPv4 keys; no unicast IPv6 prefix starts with ffff:ffff (ff00::/8 is multicast). */
  private static final long IPV4_TAG = 0xffff_ffff_0000_0000L;

  private final PrefixBuckets buckets;
  private final int slip;
  private final int v4Mask;
  private final long v6Mask;
  private final LongSupplier nanos;
  private final long origin;
  private final AtomicLong limited = new AtomicLong();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder slipped = new LongAdder();

  /**
   * @param rate responses per second per prefix, 1 to {@value PrefixBuckets#MAX_RATE}
   * @param slip 0 to {@value #MAX_SLIP}
   * @param ipv4Prefix 8 to 32
   * @param ipv6Prefix 16 to 64
   */
  public ResponseRateLimiter(int rate, int slip, int ipv4Prefix, int ipv6Prefix) {
    this(rate, slip, ipv4Prefix, ipv6Prefix, System::nanoTime, ThreadLocalRandom.current().nextLong());
  }

  /** @param nanos a monotonic clock in nanoseconds (a fake one in tests) */
  ResponseRateLimiter(int rate, int slip, int ipv4Prefix, int ipv6Prefix, LongSupplier nanos, long seed) {
    if (slip < 0 || slip > MAX_SLIP) {
      throw new IllegalArgumentException("slip must be between 0 and " + MAX_SLIP + ", not " + slip);
    }
    if (ipv4Prefix < 8 || ipv4Prefix > 32 || ipv6Prefix < 16 || ipv6Prefix > 64) {
      throw new IllegalArgumentException("prefix lengths must be 8-32 (IPv4) and 16-64 (IPv6), not " + ipv4Prefix
          + " and " + ipv6Prefix);
    }
    this.buckets = new PrefixBuckets(rate, SLOT_BITS, seed);
    this.slip = slip;
    this.v4Mask = SourcePrefixes.v4Mask(ipv4Prefix);
    this.v6Mask = ipv6Prefix == 64 ? -1L : -1L << (64 - ipv6Prefix);
    this.nanos = nanos;
    this.origin = nanos.getAsLong();
  }

  /** The sink to answer one UDP query from {@code client} through. */
  public ReplySink guard(InetAddress client, ReplySink sink) {
    long key = key(client.getAddress());
    return reply -> send(key, reply, sink);
  }

  private void send(long key, byte[] reply, ReplySink sink) {
    // +1: a slot holding 0 means "never used".
    if (buckets.take(key, (nanos.getAsLong() - origin) / 1_000_000 + 1)) {
      sink.send(reply);
      return;
    }
    if (slip > 0 && limited.incrementAndGet() % slip == 0) {
      byte[] truncated = truncated(reply);
      if (truncated != null) {
        slipped.increment();
        sink.send(truncated);
        return;
      }
    }
    dropped.increment();
  }

  /** Limited responses not sent at all. */
  public long dropped() {
    return dropped.sum();
  }

  /** Limited responses sent truncated. */
  public long slipped() {
    return slipped.sum();
  }

  long key(byte[] address) {
    if (address.length == 4) {
      return IPV4_TAG | (SourcePrefixes.v4(address) & v4Mask) & 0xffff_ffffL;
    }
    return SourcePrefixes.half(address, 0) & v6Mask;
  }

  /**
   * The reply cut to its header and question with TC set and no records (BIND's and Knot's slip reply), or null when
   * the question cannot be read (then the response is dropped instead).
   */
  static byte[] truncated(byte[] reply) {
    if (reply.length < QueryDecoder.HEADER_LENGTH) {
      return null;
    }
    int questions = QueryDecoder.u16(reply, 4);
    int end = QueryDecoder.HEADER_LENGTH;
    if (questions == 1) {
      while (true) {
        if (end >= reply.length) {
          return null;
        }
        int len = reply[end] & 0xff;
        if (len == 0) {
          end++;
          break;
        }
        if ((len & 0xc0) == 0xc0) {
          end += 2; // a pointer ends the name (RFC 1035 4.1.4)
          break;
        }
        if (len > 63) {
          return null;
        }
        end += 1 + len;
      }
      end += 4; // QTYPE, QCLASS
      if (end > reply.length) {
        return null;
      }
    } else if (questions != 0) {
      return null;
    }
    byte[] out = Arrays.copyOf(reply, end);
    out[2] |= 0x02; // TC (RFC 1035 4.1.1)
    Arrays.fill(out, 6, QueryDecoder.HEADER_LENGTH, (byte) 0); // ANCOUNT, NSCOUNT, ARCOUNT
    return out;
  }
}
