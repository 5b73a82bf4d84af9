package io.clusterdns.k8s;

import io.clusterdns.index.EndpointInfo;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;

/**
 * Reads one stretch of manifests from a token stream (Jackson's YAML or JSON parser, no data binding) straight
 * into slim records: for each object only the fields {@link SlimConverter} needs are kept, in a small
 * {@link Draft}, and everything else is skipped token by token. No Kubernetes model object, tree node or bean
 * deserializer is made, so a 100,000-service file costs the records it yields and little more.
 *
 * <p>The object's fields may come in any order (kubectl writes {@code items} before {@code kind}), so a draft
 * is converted when its object ends. A value of the wrong type in a field that is read (a port that is not a
 * number) is an error of that field, as data binding would report it; wrong types in fields that are not read
 * are ignored, as are unknown fields.
 *
 * <p>Errors: the first failing document ends the reading; the rest of that document is still parsed, so that
 * a syntax error anywhere in it wins over a conversion error, as when the document was parsed whole first.
 * {@link ManifestLoader} turns the {@link Failure} into the one-line message.
 *
 * <p>Threads: one instance per stretch and thread.
 */
final class ManifestReader {
  private static final String CORE_V1 = "v1";
  private static final String DISCOVERY_V1 = "discovery.k8s.io/v1";

  /** What one stretch yielded, in document order. */
  static final class Result {
    final List<NamespaceInfo> namespaces = new ArrayList<>();
    final List<ServiceInfo> services = new ArrayList<>();
    final List<EndpointSliceInfo> slices = new ArrayList<>();
    final List<PodInfo> pods = new ArrayList<>();
    final Map<String, Integer> skipped = new LinkedHashMap<>();
    /** The first failure, or null. */
    Failure failure;
  }

  /**
   * One failing document. The message is {@code <source>: document <n><head>[ at line L, column C]: <detail>}
   * ({@code head} is e.g. {@code " item 2 (Service a/b)"} or {@code ": cannot parse"}; {@code line} 0 when
   * there is no position).
   */
  record Failure(int document, String head, int line, int column, String detail, Throwable cause) {}

  /** A skipped kind, counted only if its document is committed. */
  private record Skipped(String kind) {}

  /** An item of a list that is not an object. */
  private static final Object NOT_AN_OBJECT = new Object();

  private ManifestTokens p;
  private final boolean json;
  private final Result result = new Result();
  /** Where in the object the reader is, for a type error's field name; joined only when one is noted. */
  private final FieldPath at = new FieldPath();

  private ManifestReader(ManifestTokens p, boolean json) {
    this.p = p;
    this.json = json;
  }

  /** Reads every root value of {@code p} (the caller closes it). */
  static Result read(JsonParser p, boolean json) {
    ManifestReader r = new ManifestReader(ManifestTokens.of(p), json);
    r.readAll();
    return r.result;
  }

  /**
   * One page of an API server's list response ({@code GET /api/v1/services?limit=N}): its items as slim
   * records, in order, and what the watch needs besides (the list's resourceVersion and continue token, which
   * Services have a selector). An item that cannot be converted is left out and named in {@link #rejected}:
   * the API server validated it, so this is rare, and serving an older form of it would be wrong.
   */
  static final class ListPage {
    String resourceVersion;
    String continueToken;
    final List<Object> items = new ArrayList<>();
    /** The listed Services (records of {@link #items}) whose selector is not empty; by identity. */
    final Set<Object> servicesWithSelector = Collections.newSetFromMap(new IdentityHashMap<>());
    /** One line per item left out: "Service ns/name: reason". */
    final List<String> rejected = new ArrayList<>(0);
  }

  /**
   * Reads one list response whose items are of {@code kind} in {@code apiVersion} (the API server leaves
   * both out of each item); unknown fields, and items of any other kind, are skipped.
   *
   * @param tokens the response body's ({@link JsonListTokens}; or Jackson's parser, {@link ManifestTokens#of})
   * @throws IllegalArgumentException or {@link JacksonException} when the body is not JSON
   */
  static ListPage readListPage(ManifestTokens tokens, String kind, String apiVersion) {
    ManifestReader r = new ManifestReader(tokens, true);
    ListPage page = new ListPage();
    ManifestTokens p = r.p;
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("a list response is not a JSON object");
    }
    for (String f = p.nextName(); f != null; f = p.nextName()) {
      JsonToken t = p.nextToken();
      if (f.equals("metadata") && t == JsonToken.START_OBJECT) {
        for (String g = p.nextName(); g != null; g = p.nextName()) {
          p.nextToken();
          switch (g) {
            case "resourceVersion" -> page.resourceVersion = r.textOnly();
            case "continue" -> page.continueToken = r.textOnly();
            default -> p.skipChildren();
          }
        }
      } else if (f.equals("items") && t == JsonToken.START_ARRAY) {
        for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
          if (i != JsonToken.START_OBJECT) {
            p.skipChildren();
            continue;
          }
          Draft d = r.readObject(false);
          Object o = convert(d, kind, apiVersion, "", 0);
          if (o instanceof Failure fail) {
            page.rejected.add(kind + " " + d.describe() + ": " + fail.detail());
          } else if (!(o instanceof Skipped)) {
            page.items.add(o);
            if (d.hasSelector && o instanceof ServiceInfo) {
              page.servicesWithSelector.add(o);
            }
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return page;
  }

  /**
   * Reads the YAML documents of {@code bytes[from, to)} one by one, each through the {@link BlockYaml} fast
   * path when it is of that plain shape, else through Jackson's parser. Document numbers and lines in a
   * failure count from each document's start: the caller reads the file again with {@link #read} for the
   * message.
   */
  static Result readYaml(byte[] bytes, int from, int to, TokenStreamFactory yaml) {
    ManifestReader r = new ManifestReader(null, false);
    int start = from;
    while (start < to && r.result.failure == null) {
      int end = ManifestLoader.markerAtOrAfter(bytes, start + 1);
      end = end < 0 || end > to ? to : end;
      BlockYaml fast = BlockYaml.tokenize(bytes, start, end);
      if (fast != null) {
        r.p = fast;
        r.readAll();
      } else {
        try (JsonParser jp = yaml.createParser(ObjectReadContext.empty(), bytes, start, end - start)) {
          r.p = ManifestTokens.of(jp);
          r.readAll();
        } catch (JacksonException e) {
          r.result.failure = new Failure(1, ": cannot parse", 0, 0, oneLine(e.getOriginalMessage()), e);
        }
      }
      start = end;
    }
    return r.result;
  }

  private void readAll() {
    int document = 0;
    boolean inDocument = false;
    try {
      while (true) {
        JsonToken t = p.nextToken(); // a syntax error here is in the next document
        if (t == null) {
          break;
        }
        if (json && t == JsonToken.START_ARRAY && document == 0) {
          // A JSON array of objects: each element is a document, as Jackson's value iterator unwraps it.
          for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            document++;
            inDocument = true;
            readDocument(t, document, true);
            inDocument = false;
            if (result.failure != null) {
              return;
            }
          }
          continue;
        }
        document++;
        inDocument = true;
        readDocument(t, document, false);
        inDocument = false;
        if (result.failure != null) {
          return;
        }
      }
    } catch (JacksonException e) {
      TokenStreamLocation loc = e.getLocation();
      boolean at = loc != null && loc.getLineNr() >= 1;
      int failed = inDocument ? document : document + 1;
      result.failure = new Failure(failed, ": cannot parse", at ? loc.getLineNr() : 0, at ? loc.getColumnNr() : 0,
          oneLine(e.getOriginalMessage()), e);
    }
  }

  // ------------------------------------------------------------------------------------------ documents

  /**
   * Reads one root value whose first token is {@code t}; on failure sets it and skips the rest of the value.
   *
   * @param nested an element of a top-level JSON array, which is a document of its own
   */
  private void readDocument(JsonToken t, int document, boolean nested) {
    String where = "";
    switch (t) {
      case VALUE_NULL:
        return; // an empty document, e.g. after a trailing "---"
      case START_ARRAY:
        if (!json || !nested) {
          fail(document, where, "expected a Kubernetes object, got array", null);
          p.skipChildren();
          return;
        }
        int item = 0;
        for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
          item++;
          if (result.failure != null) {
            p.skipChildren();
            continue;
          }
          String itemWhere = where + " item " + item;
          if (i != JsonToken.START_OBJECT) {
            p.skipChildren();
            fail(document, itemWhere, "expected a Kubernetes object", null);
            continue;
          }
          Draft d = readObject(false);
          Object o = convert(d, null, null, itemWhere, document);
          if (o instanceof Failure f) {
            result.failure = f;
          } else {
            commit(o);
          }
        }
        return;
      case START_OBJECT:
        break;
      default:
        fail(document, where, "expected a Kubernetes object, got " + typeName(t), null);
        return;
    }
    Draft d = readObject(true);
    if (d.kind != null && d.kind.endsWith("List") && d.items != null) {
      // "kind: List" items carry their own kind; a typed list's (ServiceList) items may omit it.
      boolean plain = d.kind.equals("List");
      String itemKind = plain ? null : d.kind.substring(0, d.kind.length() - "List".length());
      String itemApi = plain ? null : d.apiVersion;
      int i = 0;
      for (Object o : d.items) {
        i++;
        if (o == NOT_AN_OBJECT) {
          o = new Failure(document, where + " item " + i, 0, 0, "expected a Kubernetes object", null);
        } else if (o instanceof Draft item) {
          o = convert(item, itemKind, itemApi, where + " item " + i, document);
        }
        if (o instanceof Failure f) {
          result.failure = f;
          return;
        }
        commit(o);
      }
      return;
    }
    Object o = convert(d, null, null, where, document);
    if (o instanceof Failure f) {
      result.failure = f;
    } else {
      commit(o);
    }
  }

  private void fail(int document, String head, String detail, Throwable cause) {
    if (result.failure == null) {
      result.failure = new Failure(document, head, 0, 0, detail, cause);
    }
  }

  private void commit(Object o) {
    if (o instanceof ServiceInfo s) {
      result.services.add(s);
    } else if (o instanceof PodInfo pod) {
      result.pods.add(pod);
    } else if (o instanceof EndpointSliceInfo e) {
      result.slices.add(e);
    } else if (o instanceof NamespaceInfo n) {
      result.namespaces.add(n);
    } else if (o instanceof Skipped s) {
      result.skipped.merge(s.kind(), 1, Integer::sum);
    }
  }

  /**
   * The record (or {@link Skipped}, or {@link Failure}) of a finished draft.
   *
   * @param where "" for a document, " item 2" for an item of a list, for messages
   */
  private static Object convert(Draft d, String defaultKind, String defaultApi, String where, int document) {
    String kind = d.kind == null ? defaultKind : d.kind;
    String api = d.apiVersion == null ? defaultApi : d.apiVersion;
    if (kind == null) {
      return new Failure(document, where, 0, 0, "kind is missing", null);
    }
    if (api == null) {
      return new Failure(document, where + " (" + kind + ")", 0, 0, "apiVersion is missing", null);
    }
    char section;
    if (kind.equals("Namespace") && api.equals(CORE_V1)) {
      section = 'n';
    } else if (kind.equals("Service") && api.equals(CORE_V1)) {
      section = 's';
    } else if (kind.equals("EndpointSlice") && api.equals(DISCOVERY_V1)) {
      section = 'e';
    } else if (kind.equals("Pod") && api.equals(CORE_V1)) {
      section = 'p';
    } else {
      return new Skipped(kind + " (" + api + ")");
    }
    TypeError te = d.typeError(section);
    if (te != null) {
      return new Failure(document, head(where, kind, d), 0, 0, te.field() + ": " + te.message(), null);
    }
    try {
      switch (section) {
        case 'n':
          SlimConverter.checkMeta(d.name, d.namespace, false);
          return new NamespaceInfo(d.name, d.labels == null ? Map.of() : d.labels);
        case 's': {
          SlimConverter.checkMeta(d.name, d.namespace, true);
          if (!d.hasSpec) {
            throw new ConversionException("spec", "is missing");
          }
          List<PortInfo> ports = new ArrayList<>(d.servicePorts == null ? 0 : d.servicePorts.size());
          if (d.servicePorts != null) {
            for (int i = 0; i < d.servicePorts.size(); i++) {
              RawPort rp = d.servicePorts.get(i);
              ports.add(SlimConverter.servicePort(i, rp.name, rp.protocol, rp.port));
            }
          }
          return SlimConverter.service(d.namespace, d.name, d.type, d.externalName, d.clusterIPs, d.clusterIP, ports);
        }
        case 'e': {
          SlimConverter.checkMeta(d.name, d.namespace, true);
          List<EndpointInfo> endpoints = new ArrayList<>(d.endpoints == null ? 0 : d.endpoints.size());
          if (d.endpoints != null) {
            for (RawEndpoint re : d.endpoints) {
              EndpointInfo e = SlimConverter.endpoint(re.addresses, re.hostname, re.ready, re.targetKind, re.targetName);
              if (e != null) {
                endpoints.add(e);
              }
            }
          }
          List<PortInfo> ports = new ArrayList<>(d.slicePorts == null ? 0 : d.slicePorts.size());
          if (d.slicePorts != null) {
            for (RawPort rp : d.slicePorts) {
              PortInfo port = SlimConverter.endpointPort(rp.name, rp.protocol, rp.port);
              if (port != null) {
                ports.add(port);
              }
            }
          }
          String service = d.labels == null ? null : d.labels.get(SlimConverter.SERVICE_NAME_LABEL);
          return new EndpointSliceInfo(d.namespace, d.name, service, endpoints, ports);
        }
        default:
          SlimConverter.checkMeta(d.name, d.namespace, true);
          return SlimConverter.pod(d.namespace, d.name, d.podIPs, d.podIP, d.deletionTimestamp);
      }
    } catch (ConversionException e) {
      return new Failure(document, head(where, kind, d), 0, 0, e.getMessage(), e);
    }
  }

  /**
   * " item 2 (Service ns/name)": made only for a failure, as are the field paths; made for every object they
   * were ~500 bytes of garbage each in a 100,000-object sync.
   */
  private static String head(String where, String kind, Draft d) {
    return where + " (" + kind + " " + d.describe() + ")";
  }

  // --------------------------------------------------------------------------------------------- objects

  /**
   * Reads the object whose START_OBJECT is the current token, through its END_OBJECT.
   *
   * @param document the object is a whole document, so its {@code items} are a list's items
   */
  private Draft readObject(boolean document) {
    Draft d = new Draft();
    for (String f = p.nextName(); f != null; f = p.nextName()) {
      JsonToken t = p.nextToken();
      switch (f) {
        case "kind" -> d.kind = textOnly();
        case "apiVersion" -> d.apiVersion = textOnly();
        case "metadata" -> readMetadata(d);
        case "spec" -> readSpec(d);
        case "status" -> readStatus(d);
        case "endpoints" -> readEndpoints(d);
        case "ports" -> d.slicePorts = readPorts(d, 'e', "ports");
        case "items" -> {
          if (document && t == JsonToken.START_ARRAY) {
            readItems(d);
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    return d;
  }

  /**
   * A list's items. Those that carry their own kind and apiVersion are converted at once (so a 100,000-item
   * {@code kind: List} does not hold 100,000 drafts); from the first one that does not, the rest wait as
   * drafts for the list's kind, which may come after {@code items}, so that errors keep their order.
   */
  private void readItems(Draft list) {
    List<Object> items = new ArrayList<>();
    boolean waiting = false;
    boolean failed = false;
    int i = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      i++;
      if (failed) {
        p.skipChildren();
        continue;
      }
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        items.add(NOT_AN_OBJECT);
        failed = true;
        continue;
      }
      Draft d = readObject(false);
      if (!waiting && d.kind != null && d.apiVersion != null) {
        Object o = convert(d, null, null, "", 0);
        if (o instanceof Failure) {
          items.add(d); // converted again, with the document number, by the caller
          failed = true;
        } else {
          items.add(o);
        }
      } else {
        waiting = true;
        items.add(d);
      }
    }
    list.items = items;
  }

  private void readMetadata(Draft d) {
    if (!expectObject(d, 'm', "metadata")) {
      return;
    }
    for (String f = p.nextName(); f != null; f = p.nextName()) {
      p.nextToken();
      switch (f) {
        case "name" -> d.name = string(d, 'm', "metadata.name");
        case "namespace" -> d.namespace = string(d, 'm', "metadata.namespace");
        case "labels" -> d.labels = stringMap(d, 'm', "metadata.labels");
        case "deletionTimestamp" -> d.deletionTimestamp = string(d, 'm', "metadata.deletionTimestamp") != null;
        default -> p.skipChildren();
      }
    }
  }

  private void readSpec(Draft d) {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (!expectObject(d, 's', "spec")) {
      return;
    }
    d.hasSpec = true;
    for (String f = p.nextName(); f != null; f = p.nextName()) {
      p.nextToken();
      switch (f) {
        case "type" -> d.type = string(d, 's', "spec.type");
        case "externalName" -> d.externalName = string(d, 's', "spec.externalName");
        case "clusterIP" -> d.clusterIP = string(d, 's', "spec.clusterIP");
        case "clusterIPs" -> d.clusterIPs = stringList(d, 's', "spec.clusterIPs");
        case "ports" -> d.servicePorts = readPorts(d, 's', "spec.ports");
        case "selector" -> d.hasSelector = nonEmptyObject();
        default -> p.skipChildren();
      }
    }
  }

  private void readStatus(Draft d) {
    if (!expectObject(d, 'p', "status")) {
      return;
    }
    for (String f = p.nextName(); f != null; f = p.nextName()) {
      JsonToken t = p.nextToken();
      switch (f) {
        case "podIP" -> d.podIP = string(d, 'p', "status.podIP");
        case "podIPs" -> {
          if (t == JsonToken.VALUE_NULL) {
            break;
          }
          if (t != JsonToken.START_ARRAY) {
            d.typeError('p', "status.podIPs", expected("a list", t));
            p.skipChildren();
            break;
          }
          List<String> ips = new ArrayList<>(2);
          at.push("status.podIPs");
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            at.next();
            if (e == JsonToken.VALUE_NULL) {
              ips.add(null);
              continue;
            }
            if (!expectObject(d, 'p', null)) {
              continue;
            }
            String ip = null;
            for (String g = p.nextName(); g != null; g = p.nextName()) {
              p.nextToken();
              if (g.equals("ip")) {
                ip = string(d, 'p', "ip");
              } else {
                p.skipChildren();
              }
            }
            ips.add(ip);
          }
          at.pop();
          d.podIPs = ips;
        }
        default -> p.skipChildren();
      }
    }
  }

  private void readEndpoints(Draft d) {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return;
    }
    if (t != JsonToken.START_ARRAY) {
      d.typeError('e', "endpoints", expected("a list", t));
      p.skipChildren();
      return;
    }
    List<RawEndpoint> out = new ArrayList<>();
    at.push("endpoints");
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      at.next();
      if (e == JsonToken.VALUE_NULL || !expectObject(d, 'e', null)) {
        continue;
      }
      RawEndpoint re = new RawEndpoint();
      for (String f = p.nextName(); f != null; f = p.nextName()) {
        JsonToken v = p.nextToken();
        switch (f) {
          case "addresses" -> re.addresses = stringList(d, 'e', "addresses");
          case "hostname" -> re.hostname = string(d, 'e', "hostname");
          case "conditions" -> {
            if (v == JsonToken.VALUE_NULL || !expectObject(d, 'e', "conditions")) {
              break;
            }
            for (String g = p.nextName(); g != null; g = p.nextName()) {
              p.nextToken();
              if (g.equals("ready")) {
                re.ready = bool(d, 'e', "conditions.ready");
              } else {
                p.skipChildren();
              }
            }
          }
          case "targetRef" -> {
            if (v == JsonToken.VALUE_NULL || !expectObject(d, 'e', "targetRef")) {
              break;
            }
            for (String g = p.nextName(); g != null; g = p.nextName()) {
              p.nextToken();
              switch (g) {
                case "kind" -> re.targetKind = string(d, 'e', "targetRef.kind");
                case "name" -> re.targetName = string(d, 'e', "targetRef.name");
                default -> p.skipChildren();
              }
            }
          }
          default -> p.skipChildren();
        }
      }
      out.add(re);
    }
    at.pop();
    d.endpoints = out;
  }

  /** {@code spec.ports} of a Service or {@code ports} of a slice: null entries are kept as nulls for Services. */
  private List<RawPort> readPorts(Draft d, char section, String field) {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_ARRAY) {
      d.typeError(section, at.join(field), expected("a list", t));
      p.skipChildren();
      return null;
    }
    List<RawPort> out = new ArrayList<>(2);
    at.push(field);
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      at.next();
      RawPort rp = new RawPort();
      if (e != JsonToken.VALUE_NULL && expectObject(d, section, null)) {
        for (String f = p.nextName(); f != null; f = p.nextName()) {
          p.nextToken();
          switch (f) {
            case "name" -> rp.name = string(d, section, "name");
            case "protocol" -> rp.protocol = string(d, section, "protocol");
            case "port" -> rp.port = integer(d, section, "port");
            default -> p.skipChildren();
          }
        }
      }
      out.add(rp);
    }
    at.pop();
    return out;
  }

  // ---------------------------------------------------------------------------------------------- values

  /** True at a START_OBJECT; otherwise notes a type error (unless null) and skips the value. */
  private boolean expectObject(Draft d, char section, String field) {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      return true;
    }
    if (t != JsonToken.VALUE_NULL) {
      d.typeError(section, at.join(field), expected("an object", t));
      p.skipChildren();
    }
    return false;
  }

  /** Skips the value; true if it was an object with at least one field. */
  private boolean nonEmptyObject() {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return false;
    }
    boolean any = p.nextName() != null;
    if (any) {
      p.nextToken();
      p.skipChildren();
      while (p.nextName() != null) {
        p.nextToken();
        p.skipChildren();
      }
    }
    return any;
  }

  /** A string value, or null for anything else (skipped): a {@code kind} that is not a string is missing. */
  private String textOnly() {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  /** A scalar as text, as data binding coerces numbers and booleans into a String field; null for null. */
  private String string(Draft d, char section, String field) {
    JsonToken t = p.currentToken();
    if (t.isScalarValue()) {
      return t == JsonToken.VALUE_NULL ? null : p.getText();
    }
    d.typeError(section, at.join(field), expected("a string", t));
    p.skipChildren();
    return null;
  }

  private List<String> stringList(Draft d, char section, String field) {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_ARRAY) {
      d.typeError(section, at.join(field), expected("a list", t));
      p.skipChildren();
      return null;
    }
    List<String> out = new ArrayList<>(2);
    at.push(field);
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      at.next();
      out.add(string(d, section, null));
    }
    at.pop();
    return out;
  }

  private Map<String, String> stringMap(Draft d, char section, String field) {
    if (!expectObject(d, section, field)) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    at.push(field);
    for (String f = p.nextName(); f != null; f = p.nextName()) {
      p.nextToken();
      String v = string(d, section, f);
      if (v != null) {
        out.put(f, v);
      }
    }
    at.pop();
    return out;
  }

  /** A port number: an integer, or a string holding one (data binding's coercion); null for null. */
  private Integer integer(Draft d, char section, String field) {
    JsonToken t = p.currentToken();
    switch (t) {
      case VALUE_NULL:
        return null;
      case VALUE_NUMBER_INT:
        try {
          return p.getIntValue();
        } catch (ArithmeticException e) {
          d.typeError(section, at.join(field), "'" + p.getText() + "' is out of range for a port");
          return null;
        }
      case VALUE_NUMBER_FLOAT:
        return (int) p.getDoubleValue();
      case VALUE_STRING: {
        String s = p.getText().trim();
        if (s.isEmpty()) {
          return null;
        }
        try {
          return Integer.valueOf(s);
        } catch (NumberFormatException e) {
          d.typeError(section, at.join(field), "'" + s + "' is not a number");
          return null;
        }
      }
      default:
        d.typeError(section, at.join(field), expected("a number", t));
        p.skipChildren();
        return null;
    }
  }

  private Boolean bool(Draft d, char section, String field) {
    JsonToken t = p.currentToken();
    switch (t) {
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_STRING: {
        String s = p.getText().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) {
          return Boolean.TRUE;
        }
        if (s.equals("false")) {
          return Boolean.FALSE;
        }
        if (s.isEmpty()) {
          return null;
        }
        d.typeError(section, at.join(field), "'" + p.getText() + "' is not a boolean");
        return null;
      }
      default:
        d.typeError(section, at.join(field), expected("a boolean", t));
        p.skipChildren();
        return null;
    }
  }

  private static String expected(String what, JsonToken got) {
    return "expected " + what + ", got " + typeName(got);
  }

  /** The JSON type of a value's first token, named as Jackson's tree names node types. */
  private static String typeName(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      default -> t.name().toLowerCase(Locale.ROOT);
    };
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }

  // ---------------------------------------------------------------------------------------------- drafts

  /** A field of the wrong type, noted while reading and raised only if the object's kind reads that field. */
  private record TypeError(char section, String field, String message) {}

  /** The fields of one object that any read kind needs; which of them count is decided by its kind. */
  private static final class Draft {
    String kind;
    String apiVersion;
    String name;
    String namespace;
    Map<String, String> labels;
    boolean deletionTimestamp;
    boolean hasSpec;
    /** spec.selector has at least one entry (Services; read only by lists from the API server). */
    boolean hasSelector;
    String type;
    String externalName;
    String clusterIP;
    List<String> clusterIPs;
    List<RawPort> servicePorts;
    List<RawEndpoint> endpoints;
    List<RawPort> slicePorts;
    String podIP;
    List<String> podIPs;
    /** A list document's items: records, {@link Skipped}, or drafts still to convert. */
    List<Object> items;
    /** Type errors in document order; usually null. */
    List<TypeError> typeErrors;

    void typeError(char section, String field, String message) {
      if (typeErrors == null) {
        typeErrors = new ArrayList<>(1);
      }
      typeErrors.add(new TypeError(section, field, message));
    }

    /**
     * The first type error in a field kind {@code section} reads: metadata ('m') for every kind, 's' spec for Services, 'e' endpoints and ports for slices, 'p'
     * status for Pods.
     */
    TypeError typeError(char section) {
      if (typeErrors == null) {
        return null;
      }
      for (TypeError e : typeErrors) {
        if (e.section() == 'm' || e.section() == section) {
          return e;
        }
      }
      return null;
    }

    /** "ns/name", "name" or "without a name", so an error can name the object. */
    String describe() {
      if (name == null) {
        return "without a name";
      }
      return namespace == null ? name : namespace + "/" + name;
    }
  }

  /**
   * The field being read, such as {@code endpoints[3].addresses[1]}: a stack of the list and map fields the
   * reader is inside, each with the index of its current element, joined into a name only for a type error.
   */
  private static final class FieldPath {
    private String[] names = new String[4];
    private int[] indexes = new int[4];
    private int depth;

    /** Enters a list or map field; a list's elements are then counted by {@link #next}. */
    void push(String name) {
      if (depth == names.length) {
        names = Arrays.copyOf(names, depth * 2);
        indexes = Arrays.copyOf(indexes, depth * 2);
      }
      names[depth] = name;
      indexes[depth] = -1;
      depth++;
    }

    /** Moves to the next element of the list entered last. */
    void next() {
      indexes[depth - 1]++;
    }

    void pop() {
      depth--;
    }

    /** The name of {@code leaf} (a field, or a dotted path of fields) here; null: of where the reader is. */
    String join(String leaf) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < depth; i++) {
        if (i > 0) {
          b.append('.');
        }
        b.append(names[i]);
        if (indexes[i] >= 0) {
          b.append('[').append(indexes[i]).append(']');
        }
      }
      if (leaf != null) {
        if (depth > 0) {
          b.append('.');
        }
        b.append(leaf);
      }
      return b.toString();
    }
  }

  private static final class RawPort {
    String name;
    String protocol;
    Integer port;
  }

  private static final class RawEndpoint {
    List<String> addresses;
    String hostname;
    Boolean ready;
    String targetKind;
    String targetName;
  }
}
