package io.clusterdns.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code search} list of a resolv.conf, read as glibc and CoreDNS ({@code dns.ClientConfigFromFile}) read it:
 * the last {@code search} or {@code domain} line wins, {@code domain NAME} being a one-element list; lines starting
 * with {@code #} or {@code ;} are comments. Docker's placeholder {@code search .} adds nothing. A name that is not
 * a domain name is an error naming the file's line, so an operator never runs with half a list. Stateless.
 */
public final class ResolvConf {
  /** Longest domain name in text form, without the final dot (RFC 1035 2.3.4's 255 wire bytes). */
  private static final int MAX_NAME = 253;

  /** Longest label, bytes (RFC 1035 2.3.4). */
  private static final int MAX_LABEL = 63;

  private ResolvConf() {}

  /**
   * The search domains of {@code file}, absolute and lowercase, in order, without duplicates.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException {@code FILE:LINE: reason} for a name that is not a domain name
   */
  public static List<String> search(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).strip();
      if (t.isEmpty() || t.charAt(0) == '#' || t.charAt(0) == ';') {
        continue;
      }
      String[] words = t.split("\\s+");
      if (!words[0].equals("search") && !words[0].equals("domain")) {
        continue;
      }
      List<String> list = new ArrayList<>();
      int last = words[0].equals("domain") ? Math.min(words.length, 2) : words.length;
      for (int w = 1; w < last; w++) {
        String d = domain(words[w]);
        if (d == null) {
          throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + words[0] + " '" + words[w]
              + "' is not a domain name (labels of 1-63 characters separated by dots, at most 253 in all)");
        }
        if (!d.equals(".") && !list.contains(d)) {
          list.add(d);
        }
      }
      out = list;
    }
    return List.copyOf(out);
  }

  /** {@code s} absolute and lowercase, or null when it is not a domain name. */
  private static String domain(String s) {
    if (s.equals(".")) {
      return s;
    }
    String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (name.isEmpty() || name.length() > MAX_NAME) {
      return null;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > MAX_LABEL) {
        return null;
      }
    }
    return name.toLowerCase(Locale.ROOT) + ".";
  }
}
