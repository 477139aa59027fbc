// Default state of the fake `helm` (fields documented in ../bin/helm.mjs).

/**
 * @typedef {object} HelmRelease
 * @property {string} name
 * @property {string} namespace
 * @property {number} revision
 * @property {'deployed'|'failed'|'pending-install'|'pending-upgrade'|'pending-rollback'|'uninstalling'|'uninstalled'|'superseded'} status
 * @property {string} chart        e.g. 'longhorn-1.12.1'
 * @property {string} app_version  e.g. 'v1.12.1'
 * @property {string} updated      ISO time
 * @property {string} [first_deployed]
 * @property {string} [description]
 * @property {Record<string, any>} values  the merged user-supplied values
 * @property {string} [manifest]   the objects the release made (YAML documents), deleted on uninstall
 * @property {{revision: number, status: string, chart: string, app_version: string, updated: string, description: string}[]} [history]
 */

export function defaultHelmState() {
  return {
    version: 'v3.16.4',
    /** @type {Record<string, HelmRelease>} "namespace/name" -> release */
    releases: /** @type {Record<string, HelmRelease>} */ ({}),
    /** @type {Record<string, string>} repo name -> URL */
    repos: /** @type {Record<string, string>} */ ({}),
    /** Known remote charts: "repo/chart" -> versions (newest first) and appVersion per version. */
    charts: /** @type {Record<string, {versions: string[], appVersion?: Record<string, string>}>} */ ({
      'longhorn/longhorn': { versions: ['1.12.1', '1.12.0', '1.11.2', '1.10.3', '1.9.2'] },
      // Since 4.11.0 the chart versions have no `v` prefix; the app version has none either.
      'csi-driver-nfs/csi-driver-nfs': { versions: ['4.13.4', '4.13.3', '4.12.1', '4.11.0'], appVersion: { '4.13.4': '4.13.4', '4.13.3': '4.13.3', '4.12.1': '4.12.1', '4.11.0': '4.11.0' } },
      'openebs/openebs': { versions: ['4.5.1', '4.4.0', '4.3.2', '4.2.0'] },
    }),
    /** @type {string | null} the real helm binary, used for `helm template` (see lib/real-chart.mjs) */
    realHelm: /** @type {string | null} */ (null),
    /** @type {Record<string, string>} "repo/chart@version" -> chart directory the fake may render */
    chartDirs: /** @type {Record<string, string>} */ ({}),
    /** @type {string | null} */
    apiServer: /** @type {string | null} */ (null),
    quirks: {
      /** @type {null | {exitCode?: number, stderr?: string, leaveStatus?: 'failed'|'pending-install'|'pending-upgrade', times?: number}} */
      installFails: /** @type {null | {exitCode?: number, stderr?: string, leaveStatus?: 'failed'|'pending-install'|'pending-upgrade', times?: number}} */ (null),
      /** @type {boolean | number} */
      hangAfterStart: /** @type {boolean | number} */ (false),
      unreachable: false,
      waitChecksReadiness: false,
      /** @type {null | {exitCode?: number, stderr?: string}} */
      uninstallFails: /** @type {null | {exitCode?: number, stderr?: string}} */ (null),
    },
    /** @type {{argv: string[], valuesFiles: {path: string, content: string | null}[], stdinIsTTY: boolean, pid: number, time: string, env: Record<string, string>}[]} */
    calls: /** @type {{argv: string[], valuesFiles: {path: string, content: string | null}[], stdinIsTTY: boolean, pid: number, time: string, env: Record<string, string>}[]} */ ([]),
  };
}

/** @typedef {ReturnType<typeof defaultHelmState>} HelmState */
