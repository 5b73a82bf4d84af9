package io.clusterdns.config.corefile;

import java.util.List;

/**
 * {@code template CLASS TYPE [ZONE...] { match REGEX...; answer RR; additional RR; authority RR; rcode CODE;
 * fallthrough [ZONES...] }}: synthesised replies for names matching a regular expression (CoreDNS's
 * {@code plugin/template}; AKS's default Corefile uses it to answer NXDOMAIN for search-path expansions).
 *
 * @param qclass {@code IN}, {@code ANY}, ... as written (upper case)
 * @param qtype {@code A}, {@code ANY}, ... as written (upper case)
 * @param zones names outside these zones are not matched (the block's zones by default)
 * @param patterns regular expressions (RE2, Go's syntax as in CoreDNS) matched (find) against the lowercase absolute name; {@code .*} by default
 * @param rcode the reply's rcode (NOERROR by default)
 * @param answer answer records as zone-file text, with {@code {{ .Name }}}, {@code {{ .Type }}}, {@code {{ .Class }}},
 *     {@code {{ index .Match N }}} and {@code {{ .Group.NAME }}} replaced per query
 * @param additional additional-section records, same form
 * @param authority authority-section records, same form
 * @param fallthrough null: a name in the zones that no pattern matches gets NXDOMAIN; empty: every such name goes
 *     on; else only names under these zones
 */
public record TemplatePlugin(String qclass, String qtype, List<String> zones, List<String> patterns, int rcode,
    List<String> answer, List<String> additional, List<String> authority, List<String> fallthrough) {

  public TemplatePlugin {
    zones = List.copyOf(zones);
    patterns = List.copyOf(patterns);
    answer = List.copyOf(answer);
    additional = List.copyOf(additional);
    authority = List.copyOf(authority);
    fallthrough = fallthrough == null ? null : List.copyOf(fallthrough);
  }
}
