package io.clusterdns.server;

/** Entry point; replaced by the full command line in this issue. */
public final class Main {
  public static void main(String[] args) {
    System.out.println("clusterdns");
  }
}
