package io.clusterdns.k8s;

import io.clusterdns.index.ClusterState;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.ServiceInfo;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * Loads Kubernetes manifests (for {@code --snapshot FILE} and {@code --demo}) into a {@link ClusterState}.
 *
 * <p>Input: multi-document YAML ({@code ---} separated), a JSON object, a stream of JSON objects or a JSON
 * array; any document may be a {@code kind: List} or a typed list such as {@code ServiceList} (what
 * {@code kubectl get ... -o yaml} writes). Each object is read from Jackson's token stream by
 * {@link ManifestReader}, which keeps only the fields DNS needs and converts them with {@link SlimConverter},
 * the conversion the watch uses: no Kubernetes model object is made. Plain block-YAML documents take the
 * {@link BlockYaml} fast path, anything else Jackson's YAML parser. A file is read in 4 MB blocks of whole
 * documents, parsed on all cores while the next block is read ({@link #loadBlocks}); a stream of a megabyte
 * or more is cut at document markers into one stretch per core; results are merged in file order.
 *
 * <p>Kinds: Namespace, Service, EndpointSlice ({@code discovery.k8s.io/v1}) and Pod are loaded; every other
 * kind (Deployments, v1 Endpoints, older EndpointSlice versions, ...) is skipped with one warning line per
 * kind, so a whole {@code kubectl get all -A -o yaml} dump can be fed in.
 *
 * <p>Implied namespaces: an object in a namespace that has no Namespace document gets a Namespace (with no
 * labels) added for it, and one warning lists those names. Without this, {@code kubectl get
 * svc,endpointslices -A -o yaml} output would load services that never answer (a namespace exists for DNS
 * only when its Namespace object does, behaviours.md 15.2). A real cluster always has the Namespace, so
 * this only makes hand-written or partial dumps usable.
 *
 * <p>Errors: the first invalid document stops the load with a {@link ManifestException} naming the file,
 * the 1-based document number, the object and the field; nothing is applied to the state then (objects are
 * converted first and applied only when the whole file is good). Later documents override earlier ones with
 * the same kind, namespace and name.
 *
 * <p>Threads: stateless; the caller owns the {@link ClusterState} it passes in.
 */
public final class ManifestLoader {
  private static final Logger LOG = Logger.getLogger(ManifestLoader.class.getName());

  /** Classpath location of the built-in demo cluster, relative to this class. */
  public static final String DEMO_RESOURCE = "demo-cluster.yaml";

  /** Token stream factories only: no data binding, so no deserializer is ever built. Thread-safe. */
  private static final TokenStreamFactory YAML = new YAMLFactory();
  private static final TokenStreamFactory JSON = new JsonFactory();

  private ManifestLoader() {}

  /** What a load added; {@code impliedNamespaces} and {@code skippedKinds} were also logged as warnings. */
  public record Summary(
      int namespaces, int services, int endpointSlices, int pods,
      List<String> impliedNamespaces, Map<String, Integer> skippedKinds) {
    public Summary {
      impliedNamespaces = List.copyOf(impliedNamespaces);
      skippedKinds = Map.copyOf(skippedKinds);
    }
  }

  /** Loads one manifest file; the message of any error starts with the file name as given. */
  public static Summary load(Path file, ClusterState state) throws ManifestException {
    // FileInputStream, not Files.readAllBytes: NIO reads through a temporary direct buffer as large as the
    // read and keeps it cached for the thread (63 MB of native memory for the 100k snapshot, for good).
    try (InputStream in = new FileInputStream(file.toFile())) {
      return loadBlocks(in, file.toString(), state, BLOCK_BYTES, Runtime.getRuntime().availableProcessors(),
          () -> Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + e.getMessage(), 0, e);
    }
  }

  /** Size of the blocks a large file is read and parsed in. */
  static final int BLOCK_BYTES = 4 << 20;

  /**
   * Reads a stream in blocks of whole YAML documents (each cut at its last document marker), parsing each on
   * one of {@code threads} threads while the next is read, with at most {@code threads + 1} blocks in memory:
   * the file is never held whole. A stream shorter than a block, or JSON, is read whole. On any failure the
   * bytes are read again whole for the message (numbers of documents and lines as the file has them).
   */
  static Summary loadBlocks(InputStream in, String source, ClusterState state, int blockBytes, int threads,
      Callable<byte[]> again) throws IOException, ManifestException {
    byte[] first = new byte[blockBytes];
    int n = fill(in, first, 0);
    if (n < blockBytes || isJson(first)) {
      byte[] rest = n < blockBytes ? new byte[0] : in.readAllBytes();
      byte[] all = Arrays.copyOf(first, n + rest.length);
      System.arraycopy(rest, 0, all, n, rest.length);
      return load(all, source, state);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "manifest-reader");
      t.setDaemon(true);
      return t;
    });
    List<Future<ManifestReader.Result>> parts = new ArrayList<>();
    try {
      byte[] buf = first;
      boolean eof = false;
      while (n > 0) {
        int cut = eof ? n : lastMarker(buf, n);
        if (cut <= 0) { // one document longer than a block: read on
          buf = Arrays.copyOf(buf, n + blockBytes);
          int m = fill(in, buf, n);
          eof = m < blockBytes;
          n += m;
          continue;
        }
        byte[] part = buf;
        int partLength = cut;
        if (parts.size() > threads) {
          await(parts.get(parts.size() - threads - 1)); // bounds the blocks in memory
        }
        parts.add(pool.submit(() -> ManifestReader.readYaml(part, 0, partLength, YAML)));
        byte[] next = new byte[n - cut + blockBytes];
        System.arraycopy(buf, cut, next, 0, n - cut);
        int m = eof ? 0 : fill(in, next, n - cut);
        eof = eof || m < blockBytes;
        n = n - cut + m;
        buf = next;
      }
      Parsed parsed = new Parsed();
      boolean failed = false;
      for (Future<ManifestReader.Result> f : parts) {
        ManifestReader.Result r = await(f);
        if (r.failure != null) {
          failed = true;
          break;
        }
        parsed.add(r);
      }
      if (!failed) {
        return apply(parsed, source, state);
      }
    } finally {
      pool.shutdownNow();
    }
    byte[] all;
    try {
      all = again.call();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
    ManifestReader.Result whole = read(all, new Stretch(0, all.length), false, false);
    if (whole.failure == null) { // cannot happen: the blocks are the same documents
      throw new IllegalStateException(source + ": a block failed to load but the whole file reads");
    }
    throw failure(source, whole.failure);
  }

  private static ManifestReader.Result await(Future<ManifestReader.Result> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading manifests", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Reads until {@code b} is full or the stream ends; returns the bytes read. */
  private static int fill(InputStream in, byte[] b, int off) throws IOException {
    int total = 0;
    while (off + total < b.length) {
      int r = in.read(b, off + total, b.length - off - total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  /** The offset of the last document marker line in {@code b[1, n)} that is complete, or -1. */
  static int lastMarker(byte[] b, int n) {
    for (int i = n - 4; i > 0; i--) {
      if (b[i - 1] == '\n' && b[i] == '-' && b[i + 1] == '-' && b[i + 2] == '-'
          && (b[i + 3] == '\n' || b[i + 3] == ' ' || b[i + 3] == '\r' || b[i + 3] == '\t')) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Loads manifests from a stream (read to its end, not closed).
   *
   * @param source the name errors and warnings use for the input, usually the file name
   */
  public static Summary load(InputStream in, String source, ClusterState state) throws ManifestException {
    byte[] bytes;
    try {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ManifestException(source + ": cannot read: " + e.getMessage(), 0, e);
    }
    return load(bytes, source, state);
  }

  /** Loads the built-in demo cluster ({@value #DEMO_RESOURCE}, a resource next to this class). */
  public static Summary loadDemo(ClusterState state) {
    try (InputStream in = ManifestLoader.class.getResourceAsStream(DEMO_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the demo cluster resource " + DEMO_RESOURCE + " is missing from the jar");
      }
      return load(in, DEMO_RESOURCE, state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ManifestException e) {
      throw new IllegalStateException("the built-in demo cluster is invalid: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------------ parsing

  /** Below this size a YAML file is read on one thread (the demo, hand-written files, every test table). */
  static final int PARALLEL_BYTES = 1 << 20;

  private static Summary load(byte[] bytes, String source, ClusterState state) throws ManifestException {
    return load(bytes, source, state, PARALLEL_BYTES, Runtime.getRuntime().availableProcessors());
  }

  /** Loads {@code bytes}, cutting YAML of {@code minBytes} or more into {@code parts} stretches (tests vary both). */
  static Summary load(byte[] bytes, String source, ClusterState state, int minBytes, int parts)
      throws ManifestException {
    boolean json = isJson(bytes);
    List<Stretch> stretches = json ? List.of(new Stretch(0, bytes.length)) : stretches(bytes, minBytes, parts);
    List<ManifestReader.Result> results;
    if (stretches.size() == 1) {
      results = List.of(read(bytes, stretches.get(0), json, true));
    } else {
      // One stretch per core, each ending at a document boundary; results are merged in file order.
      results = stretches.parallelStream().map(s -> read(bytes, s, json, true)).toList();
    }
    Parsed parsed = new Parsed();
    for (ManifestReader.Result r : results) {
      if (r.failure != null) {
        // The fast path and later stretches number documents and lines (also inside the parser's own
        // message) from their own start: read the file whole with Jackson alone, which reports this failure
        // or an earlier one as the file has them.
        ManifestReader.Result whole = json ? r : read(bytes, new Stretch(0, bytes.length), false, false);
        throw failure(source, whole.failure);
      }
      parsed.add(r);
    }
    return apply(parsed, source, state);
  }

  /** Reads one stretch: JSON with Jackson's parser, YAML document by document ({@code fast}) or whole. */
  private static ManifestReader.Result read(byte[] bytes, Stretch s, boolean json, boolean fast) {
    if (!json && fast) {
      return ManifestReader.readYaml(bytes, s.from(), s.to(), YAML);
    }
    TokenStreamFactory f = json ? JSON : YAML;
    try (JsonParser p = f.createParser(ObjectReadContext.empty(), bytes, s.from(), s.to() - s.from())) {
      return ManifestReader.read(p, json);
    } catch (JacksonException e) { // creating the parser read the start of the input
      ManifestReader.Result r = new ManifestReader.Result();
      TokenStreamLocation loc = e.getLocation();
      boolean at = loc != null && loc.getLineNr() >= 1;
      r.failure = new ManifestReader.Failure(1, ": cannot parse", at ? loc.getLineNr() : 0,
          at ? loc.getColumnNr() : 0, ManifestReader.oneLine(e.getOriginalMessage()), e);
      return r;
    }
  }

  private static ManifestException failure(String source, ManifestReader.Failure f) {
    String at = f.line() > 0 ? " at line " + f.line() + ", column " + f.column() : "";
    return new ManifestException(source + ": document " + f.document() + f.head() + at + ": " + f.detail(),
        f.document(), f.cause());
  }

  /** Byte range of a stretch of whole documents. */
  record Stretch(int from, int to) {}

  /**
   * Splits YAML into about {@code parts} stretches of whole documents: each cut is at the start of a line that
   * is a document marker ({@code ---} alone or followed by a space), which YAML allows only between
   * documents. Small inputs stay whole.
   */
  static List<Stretch> stretches(byte[] bytes, int minBytes, int parts) {
    if (bytes.length < minBytes || parts < 2) {
      return List.of(new Stretch(0, bytes.length));
    }
    List<Stretch> out = new ArrayList<>(parts);
    int from = 0;
    for (int k = 1; k < parts; k++) {
      int cut = markerAtOrAfter(bytes, Math.max(from + 1, (int) ((long) bytes.length * k / parts)));
      if (cut < 0) {
        break;
      }
      out.add(new Stretch(from, cut));
      from = cut;
    }
    out.add(new Stretch(from, bytes.length));
    return out;
  }

  /** Offset of the first line at or after {@code i} that is a document start marker, or -1. */
  static int markerAtOrAfter(byte[] b, int i) {
    while (i > 0 && i < b.length && b[i - 1] != '\n') {
      i++;
    }
    while (i + 3 <= b.length) {
      if (b[i] == '-' && b[i + 1] == '-' && b[i + 2] == '-'
          && (i + 3 == b.length || b[i + 3] == '\n' || b[i + 3] == '\r' || b[i + 3] == ' ' || b[i + 3] == '\t')) {
        return i;
      }
      while (i < b.length && b[i] != '\n') {
        i++;
      }
      i++;
    }
    return -1;
  }

  private static boolean isJson(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '{' || b == '[') {
        return true;
      }
      if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) { // skip a BOM
        return false;
      }
    }
    return false;
  }

  private static Summary apply(Parsed p, String source, ClusterState state) {
    TreeSet<String> implied = new TreeSet<>();
    p.services.values().forEach(s -> noteImplied(p, s.namespace(), implied));
    p.slices.values().forEach(s -> noteImplied(p, s.namespace(), implied));
    p.pods.values().forEach(s -> noteImplied(p, s.namespace(), implied));
    implied.removeAll(state.namespaceNames()); // already there from an earlier load
    p.skipped.forEach((kind, n) -> LOG.warning(source + ": skipped " + n + " " + kind + " object(s); clusterdns reads"
        + " only Namespace, Service, EndpointSlice (discovery.k8s.io/v1) and Pod"));
    if (!implied.isEmpty()) {
      LOG.warning(source + ": no Namespace document for " + String.join(", ", implied)
          + "; treating these namespaces as existing");
    }
    p.namespaces.values().forEach(state::putNamespace);
    implied.forEach(n -> state.putNamespace(new NamespaceInfo(n, Map.of())));
    p.services.values().forEach(state::putService);
    p.slices.values().forEach(state::putEndpointSlice);
    p.pods.values().forEach(state::putPod);
    return new Summary(p.namespaces.size() + implied.size(), p.services.size(), p.slices.size(), p.pods.size(),
        new ArrayList<>(implied), p.skipped);
  }

  private static void noteImplied(Parsed p, String ns, TreeSet<String> implied) {
    if (!p.namespaces.containsKey(ns)) {
      implied.add(ns);
    }
  }

  /** Converted objects of one file, keyed so a later document replaces an earlier one. */
  private static final class Parsed {
    final Map<String, NamespaceInfo> namespaces = new LinkedHashMap<>();
    final Map<String, ServiceInfo> services = new LinkedHashMap<>();
    final Map<String, EndpointSliceInfo> slices = new LinkedHashMap<>();
    final Map<String, PodInfo> pods = new LinkedHashMap<>();
    final Map<String, Integer> skipped = new LinkedHashMap<>();

    void add(ManifestReader.Result r) {
      r.namespaces.forEach(n -> namespaces.put(n.name(), n));
      r.services.forEach(o -> services.put(o.namespace() + "/" + o.name(), o));
      r.slices.forEach(o -> slices.put(o.namespace() + "/" + o.name(), o));
      r.pods.forEach(o -> pods.put(o.namespace() + "/" + o.name(), o));
      r.skipped.forEach((k, n) -> skipped.merge(k, n, Integer::sum));
    }
  }
}
