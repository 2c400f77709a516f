import { dump } from 'js-yaml';

/** @public */
export interface KubeconfigInput {
  server: string;
  caData: string;
  token: string;
  readOnlyToken?: string;
  name?: string;
  namespace?: string;
}

/**
 * A kubeconfig that `kubectl --kubeconfig` and client-node's `loadFromFile()` accept as is:
 * certificate-authority-data + bearer token, plus a `<name>-readonly` context for the read-only token.
 * @public
 */
export function buildKubeconfig(input: KubeconfigInput): string {
  const name = input.name ?? 'kube-emulator';
  const namespace = input.namespace ?? 'default';
  const users = [{ name: `${name}-admin`, user: { token: input.token } }];
  const contexts = [
    { name, context: { cluster: name, user: `${name}-admin`, namespace } },
  ];
  if (input.readOnlyToken) {
    users.push({
      name: `${name}-readonly`,
      user: { token: input.readOnlyToken },
    });
    contexts.push({
      name: `${name}-readonly`,
      context: { cluster: name, user: `${name}-readonly`, namespace },
    });
  }
  return dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [
        {
          name,
          cluster: {
            server: input.server,
            'certificate-authority-data': input.caData,
          },
        },
      ],
      users,
      contexts,
      'current-context': name,
    },
    { lineWidth: -1 },
  );
}
