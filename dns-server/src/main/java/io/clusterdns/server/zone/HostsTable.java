package io.clusterdns.server.zone;

import io.clusterdns.config.corefile.HostsPlugin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code hosts} plugin (behaviours.md 11.9): A/AAAA for the names of hosts-file lines and inline
 * entries, PTR for their addresses (unless {@code no_reverse}), TTL {@code ttl}. It runs before the cluster zone
 * and the forwarder, as in CoreDNS's plugin order. Its outcomes, as CoreDNS's {@code hosts.go}:
 * <ul>
 *   <li>a name outside the plugin's zones (and a PTR for an unknown address): not ours, the next step answers;
 *   <li>a known name: AA, its records of the type, or an empty NOERROR (no SOA: a hosts file has none);
 *   <li>an unknown name in the zones: the next step with {@code fallthrough}, else SERVFAIL (CoreDNS would rather
 *       say NXDOMAIN but has no SOA to put in it).
 * </ul>
 *
 * <p>Threads: lookups on every event loop read one immutable table through a volatile field; a daemon thread
 * re-reads the file every {@code reload} when its modification time or size changed, and swaps the table
 * (inline entries always stay). {@link #close()} stops it.
 */
public final class HostsTable implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("plugin/hosts");

  /** Names (lowercase wire form) to their addresses; reverse names to the host names. Immutable. */
  private record Table(Map<ByteBuffer, List<InetAddress>> forward, Map<ByteBuffer, List<Name>> reverse) {}

  private final HostsPlugin config;
  private final Name[] zones;
  private final Name[] fallthrough;
  private final boolean fallthroughAll;
  private volatile Table table;
  private final ScheduledExecutorService reloader;
  private FileTime lastModified;
  private long lastSize = -1;

  public HostsTable(HostsPlugin config) {
    this.config = config;
    this.zones = names(config.zones());
    this.fallthroughAll = config.fallthrough() != null && config.fallthrough().isEmpty();
    this.fallthrough = config.fallthrough() == null ? new Name[0] : names(config.fallthrough());
    this.table = build(readFile());
    if (config.file() != null && !config.reload().isZero()) {
      reloader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hosts-reload");
        t.setDaemon(true);
        return t;
      });
      long ms = config.reload().toMillis();
      reloader.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      reloader = null;
    }
  }

  /** Entries now served (file and inline), for tests and the log. */
  public int size() {
    return table.forward().size();
  }

  /**
   * Whether {@link #answer} would answer this name (lowercase wire form, any type but PTR), or let the next step
   * answer: the fast path of the query pipeline asks this to leave the names hosts answers to the full path.
   */
  public boolean claims(byte[] wireName, int qtype) {
    ByteBuffer key = ByteBuffer.wrap(wireName);
    Table t = table;
    if (qtype == Type.PTR) {
      return t.reverse().containsKey(key);
    }
    if (t.forward().containsKey(key)) {
      return true;
    }
    if (fallthroughAll) {
      return false;
    }
    try {
      return covered(new Name(wireName));
    } catch (IOException e) {
      return false;
    }
  }

  /** The reply for {@code query}, or null when the next step answers (see the class doc). */
  public Message answer(Message query) {
    Record q = query.getQuestion();
    Name name = q.getName();
    int type = q.getType();
    Table t = table;
    ByteBuffer key = ByteBuffer.wrap(name.toWireCanonical());
    List<Record> answers = new ArrayList<>();
    if (type == Type.PTR) {
      List<Name> targets = t.reverse().get(key);
      if (targets == null) {
        return null;
      }
      for (Name target : targets) {
        answers.add(new PTRRecord(name, DClass.IN, config.ttl(), target));
      }
    } else {
      if (!inZones(name)) {
        return null;
      }
      List<InetAddress> addrs = t.forward().get(key);
      if (addrs == null) {
        if (fallthroughAll || fallsThrough(name)) {
          return null;
        }
        Message reply = reply(query);
        reply.getHeader().setRcode(Rcode.SERVFAIL);
        return reply;
      }
      for (InetAddress a : addrs) {
        if (type == Type.A && a.getAddress().length == 4) {
          answers.add(new ARecord(name, DClass.IN, config.ttl(), a));
        } else if (type == Type.AAAA && a.getAddress().length == 16) {
          answers.add(new AAAARecord(name, DClass.IN, config.ttl(), a));
        }
      }
    }
    Message reply = reply(query);
    reply.getHeader().setFlag(Flags.AA);
    for (Record r : answers) {
      reply.addRecord(r, Section.ANSWER);
    }
    return reply;
  }

  private static Message reply(Message query) {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      reply.getHeader().setFlag(Flags.RD);
    }
    reply.addRecord(query.getQuestion(), Section.QUESTION);
    return reply;
  }

  private boolean covered(Name name) {
    return inZones(name) && !fallsThrough(name);
  }

  private boolean inZones(Name name) {
    for (Name z : zones) {
      if (name.subdomain(z)) {
        return true;
      }
    }
    return false;
  }

  private boolean fallsThrough(Name name) {
    for (Name z : fallthrough) {
      if (name.subdomain(z)) {
        return true;
      }
    }
    return false;
  }

  private List<HostsPlugin.Entry> readFile() {
    if (config.file() == null) {
      return List.of();
    }
    Path p = Path.of(config.file());
    try {
      lastModified = Files.getLastModifiedTime(p);
      lastSize = Files.size(p);
      return HostsPlugin.parseHostsFile(Files.readString(p, StandardCharsets.UTF_8), config.zones());
    } catch (IOException e) {
      LOG.warning("hosts file " + p + " cannot be read (" + e.getMessage() + "); serving the inline entries");
      lastModified = null;
      lastSize = -1;
      return List.of();
    }
  }

  private void reloadIfChanged() {
    Path p = Path.of(config.file());
    try {
      FileTime m = Files.exists(p) ? Files.getLastModifiedTime(p) : null;
      long size = m == null ? -1 : Files.size(p);
      if (java.util.Objects.equals(m, lastModified) && size == lastSize) {
        return;
      }
    } catch (IOException e) {
      return;
    }
    Table next = build(readFile());
    table = next;
    LOG.info("reloaded " + p + ": " + next.forward().size() + " names");
  }

  private Table build(List<HostsPlugin.Entry> fromFile) {
    Map<ByteBuffer, List<InetAddress>> forward = new HashMap<>();
    Map<ByteBuffer, List<Name>> reverse = new LinkedHashMap<>();
    List<HostsPlugin.Entry> all = new ArrayList<>(config.inline());
    all.addAll(fromFile);
    for (HostsPlugin.Entry e : all) {
      InetAddress addr;
      try {
        addr = InetAddress.getByAddress(e.address());
      } catch (UnknownHostException ex) {
        continue;
      }
      for (String n : e.names()) {
        Name name;
        try {
          name = Name.fromString(n);
        } catch (TextParseException ex) {
          continue;
        }
        List<InetAddress> list = forward.computeIfAbsent(ByteBuffer.wrap(name.toWireCanonical()),
            k -> new ArrayList<>());
        if (!list.contains(addr)) {
          list.add(addr);
        }
        if (!config.noReverse()) {
          List<Name> targets = reverse.computeIfAbsent(
              ByteBuffer.wrap(ReverseMap.fromAddress(addr).toWireCanonical()), k -> new ArrayList<>());
          if (!targets.contains(name)) {
            targets.add(name);
          }
        }
      }
    }
    forward.replaceAll((k, v) -> List.copyOf(v));
    reverse.replaceAll((k, v) -> List.copyOf(v));
    return new Table(Map.copyOf(forward), Map.copyOf(reverse));
  }

  private static Name[] names(List<String> zones) {
    Name[] out = new Name[zones.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Name.fromConstantString(zones.get(i));
    }
    return out;
  }

  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
