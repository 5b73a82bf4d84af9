package io.clusterdns.chart;

/** Values overrides that change the Corefile, shared by the render tests and the check-config test. */
final class ChartCorefiles {

  private ChartCorefiles() {}

  /** kubeadm's server block plus a stub domain block, as the CoreDNS chart's values write them. */
  static final String STUB_DOMAINS = """
      servers:
        - zones: [{zone: .}]
          port: 53
          plugins:
            - {name: errors}
            - {name: health, configBlock: "lameduck 5s"}
            - {name: ready}
            - name: kubernetes
              parameters: cluster.local in-addr.arpa ip6.arpa
              configBlock: |-
                pods insecure
                fallthrough in-addr.arpa ip6.arpa
                ttl 30
            - {name: prometheus, parameters: ":9153"}
            - {name: forward, parameters: . /etc/resolv.conf, configBlock: "max_concurrent 1000"}
            - name: cache
              parameters: 30
              configBlock: |-
                disable success cluster.local
                disable denial cluster.local
            - {name: loop}
            - {name: reload}
            - {name: loadbalance}
        - zones: [{zone: example.corp}, {zone: corp.internal}]
          port: 53
          plugins:
            - {name: errors}
            - {name: cache, parameters: 30}
            - {name: forward, parameters: . 10.150.0.1 10.150.0.2}
      """;

  /** The default server block with "pods verified": the pods watch and its RBAC. */
  static final String PODS_VERIFIED = """
      servers:
        - zones: [{zone: .}]
          port: 53
          plugins:
            - {name: errors}
            - {name: health, configBlock: "lameduck 5s"}
            - {name: ready}
            - name: kubernetes
              parameters: cluster.local in-addr.arpa ip6.arpa
              configBlock: |-
                pods verified
                fallthrough in-addr.arpa ip6.arpa
                ttl 30
            - {name: prometheus, parameters: ":9153"}
            - {name: forward, parameters: . /etc/resolv.conf}
            - {name: cache, parameters: 30}
            - {name: reload}
      """;
}
