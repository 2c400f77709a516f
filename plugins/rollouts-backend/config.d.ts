export interface Config {
  /**
   * Kube Rollouts backend settings, all optional. Clusters themselves are read from
   * `kubernetes.clusterLocatorMethods` (entries of `type: config`), as the Backstage
   * Kubernetes plugin reads them.
   */
  kubeRollouts?: {
    /**
     * Timeout of one Kubernetes API request in milliseconds (1-120000). A cluster that does
     * not answer in time gives 503 naming the cluster. Default 5000.
     */
    requestTimeoutMs?: number;
    /** canary-delivery settings. */
    canaryDelivery?: {
      /**
       * The label (key=value) that rolls a run back on its CanaryEvent; a CanaryEvent without a
       * `spec.result` that carries it shows as RolledBack. Default action=rollback.
       */
      rollbackLabel?: string;
    };
    /** Per-cluster settings; `name` must be a cluster of kubernetes.clusterLocatorMethods. */
    clusters?: Array<{
      name: string;
      /** Only rollouts in these namespaces may be read on this cluster (403 otherwise). */
      allowedNamespaces?: string[];
    }>;
  };
}
