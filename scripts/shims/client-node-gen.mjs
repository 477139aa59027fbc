// client-node's config.js imports the generated API (ServerConfiguration, createConfiguration)
// only for makeApiClient, which k8s-storage never calls (src/cluster/http.ts sends the
// requests). Leaving the generated code out of dist/kube.cjs saves ~320 KB of models.
const unused = () => {
  throw new Error('k8s-storage bundles no generated client-node API: use src/cluster/http.ts');
};
export const createConfiguration = unused;
export class ServerConfiguration {
  constructor() {
    unused();
  }
}
