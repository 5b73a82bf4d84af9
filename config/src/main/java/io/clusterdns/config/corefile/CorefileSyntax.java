package io.clusterdns.config.corefile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns tokens into server blocks of {@link Directive}s: {@code KEY... { DIRECTIVE... }}, snippets
 * {@code (name) { ... }} and {@code import NAME|PATTERN} expanded in place (CoreDNS {@code import} plugin).
 * Braces must balance; a server block must have a {@code { ... }} body (CoreDNS also takes a single
 * brace-less block, which we reject so that a lost brace cannot silently merge two blocks).
 *
 * <p>Single use, parsing thread only.
 */
final class CorefileSyntax {

  /** Most {@code import} expansions one Corefile may do; a cycle hits this quickly. */
  private static final int MAX_IMPORTS = 100;

  /** A server block before its keys and plugins are interpreted. */
  record RawBlock(List<Token> keys, Token open, List<Directive> body) {}

  private final List<Token> toks;
  private final Path baseDir;
  private final Function<String, String> env;
  private final Map<String, List<Token>> snippets = new HashMap<>();
  private int pos;
  private int imports;

  CorefileSyntax(List<Token> tokens, Path baseDir, Function<String, String> env) {
    this.toks = new ArrayList<>(tokens);
    this.baseDir = baseDir;
    this.env = env;
  }

  List<RawBlock> serverBlocks() throws CorefileException {
    List<RawBlock> out = new ArrayList<>();
    while (pos < toks.size()) {
      Token t = toks.get(pos);
      if (t.isClose()) {
        throw CorefileException.at(t, "unexpected '}': no block is open");
      }
      if (t.isOpen()) {
        throw CorefileException.at(t, "unexpected '{': a server block needs a zone before '{'");
      }
      if (t.is("import")) {
        expandImport();
        continue;
      }
      if (!t.quoted() && t.text().length() > 2 && t.text().startsWith("(") && t.text().endsWith(")")) {
        defineSnippet(t);
        continue;
      }
      out.add(serverBlock());
    }
    return out;
  }

  private RawBlock serverBlock() throws CorefileException {
    List<Token> keys = new ArrayList<>();
    Token last = toks.get(pos);
    boolean more = true;
    while (pos < toks.size() && more) {
      Token k = toks.get(pos);
      if (k.isOpen() || k.isClose() || (k.group() != last.group() && !last.text().endsWith(","))) {
        break;
      }
      pos++;
      last = k;
      for (String part : k.text().split(",")) {
        if (!part.isEmpty()) {
          keys.add(new Token(part, k.quoted(), k.source(), k.line(), k.column(), k.group()));
        }
      }
    }
    if (pos >= toks.size() || !toks.get(pos).isOpen()) {
      throw CorefileException.at(last, "missing '{' after server block '" + last.text()
          + "': every server block needs a { ... } body");
    }
    Token open = toks.get(pos++);
    return new RawBlock(keys, open, body(open));
  }

  /** Statements up to the '}' that matches {@code open} (consumed). */
  private List<Directive> body(Token open) throws CorefileException {
    List<Directive> out = new ArrayList<>();
    while (true) {
      if (pos >= toks.size()) {
        throw CorefileException.at(open, "unbalanced braces: this '{' is never closed");
      }
      Token t = toks.get(pos);
      if (t.isClose()) {
        pos++;
        return out;
      }
      if (t.isOpen()) {
        throw CorefileException.at(t, "unexpected '{': a block must follow a directive on the same line");
      }
      if (t.is("import")) {
        expandImport();
        continue;
      }
      out.add(statement());
    }
  }

  private Directive statement() throws CorefileException {
    Token name = toks.get(pos++);
    List<Token> args = new ArrayList<>();
    while (pos < toks.size()) {
      Token a = toks.get(pos);
      if (a.group() != name.group() || a.isClose()) {
        break;
      }
      pos++;
      if (a.isOpen()) {
        return new Directive(name, List.copyOf(args), List.copyOf(body(a)), a);
      }
      args.add(a);
    }
    return new Directive(name, List.copyOf(args), List.of(), null);
  }

  private void defineSnippet(Token nameTok) throws CorefileException {
    String name = nameTok.text().substring(1, nameTok.text().length() - 1);
    pos++;
    if (pos >= toks.size() || !toks.get(pos).isOpen()) {
      throw CorefileException.at(nameTok, "missing '{' after snippet " + nameTok.text());
    }
    Token open = toks.get(pos++);
    int depth = 1;
    List<Token> body = new ArrayList<>();
    while (true) {
      if (pos >= toks.size()) {
        throw CorefileException.at(open, "unbalanced braces: this '{' is never closed");
      }
      Token t = toks.get(pos++);
      if (t.isOpen()) {
        depth++;
      } else if (t.isClose() && --depth == 0) {
        break;
      }
      body.add(t);
    }
    if (snippets.putIfAbsent(name, List.copyOf(body)) != null) {
      throw CorefileException.at(nameTok, "snippet '" + name + "' is defined twice");
    }
  }

  /** Replaces {@code import X} at {@code pos} by the snippet's or files' tokens. */
  private void expandImport() throws CorefileException {
    Token imp = toks.get(pos);
    int end = pos + 1;
    while (end < toks.size() && toks.get(end).group() == imp.group() && !toks.get(end).isOpen()
        && !toks.get(end).isClose()) {
      end++;
    }
    if (end - pos != 2) {
      throw CorefileException.at(imp, "import takes exactly one argument (a snippet name or a file pattern)");
    }
    Token what = toks.get(pos + 1);
    if (++imports > MAX_IMPORTS) {
      throw CorefileException.at(imp, "more than " + MAX_IMPORTS + " imports: is there an import cycle?");
    }
    List<Token> replacement = new ArrayList<>();
    List<Token> snippet = snippets.get(what.text());
    if (snippet != null) {
      replacement.addAll(snippet);
    } else {
      for (Path file : importFiles(what)) {
        String text;
        try {
          text = Files.readString(file);
        } catch (IOException e) {
          throw CorefileException.at(what, "import: cannot read " + file + ": " + e.getMessage());
        }
        replacement.addAll(CorefileLexer.lex(text, file.toString(), env));
      }
    }
    // Fresh groups keep the spliced statements apart from the ones around the import line.
    long splice = imports;
    List<Token> regrouped = new ArrayList<>(replacement.size());
    for (Token t : replacement) {
      regrouped.add(t.regrouped(splice));
    }
    toks.subList(pos, end).clear();
    toks.addAll(pos, regrouped);
  }

  private List<Path> importFiles(Token what) throws CorefileException {
    String pattern = what.text();
    Path p = baseDir.resolve(pattern);
    if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && pattern.indexOf('[') < 0) {
      if (!Files.isRegularFile(p)) {
        throw CorefileException.at(what, "import: '" + pattern + "' is neither a snippet nor a file");
      }
      return List.of(p);
    }
    // A glob may match nothing (CoreDNS: "an empty glob pattern is not an error"); only the last path
    // element may hold wildcards.
    Path dir = p.getParent() == null ? baseDir : p.getParent();
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p.getFileName().toString())) {
      for (Path f : ds) {
        if (Files.isRegularFile(f)) {
          out.add(f);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw CorefileException.at(what, "import: bad pattern '" + pattern + "': " + e.getMessage());
    }
    out.sort(null);
    return out;
  }
}
