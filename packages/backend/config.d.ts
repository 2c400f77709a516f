export interface Config {
  /**
   * The embedded default cluster: an in-memory Kubernetes API server with simulated controllers
   * and traffic, started in-process by the backend. On in app-config.yaml, absent in production.
   */
  kubeEmulator?: {
    /** Start it. */
    enabled?: boolean;
    /** Interface to listen on. Default 127.0.0.1. */
    host?: string;
    /** HTTPS port. Default 6443. */
    port?: number;
    /** Objects it starts with: `demo` (the four demo rollouts) or `empty`. Default demo. */
    scenario?: string;
    /** Simulated time speed-up (60 = a simulated minute per second). Default 1. */
    timeScale?: number;
    /**
     * The admin bearer token; give the same value to the cluster's serviceAccountToken in
     * kubernetes.clusterLocatorMethods.
     * @visibility secret
     */
    token: string;
    /**
     * A read-only bearer token (403 on writes).
     * @visibility secret
     */
    readOnlyToken?: string;
    /** Where to write a kubeconfig for kubectl (relative to the backend's working directory). */
    kubeconfigPath?: string;
    /**
     * Where to write the CA certificate (PEM) the emulator generates at each start, for the
     * cluster's caFile in kubernetes.clusterLocatorMethods (relative to the working directory).
     */
    caFilePath?: string;
  };
}
