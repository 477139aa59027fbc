/** The IO half of the Longhorn backend: what install/uninstall read and say, and what status collects. */
import type { BackendRuntime } from '../types.js';
import { confirmLonghornInstall, dryRunLonghornInstall, gatherLonghornInstall, parseLonghornInstall, reportLonghornInstall, type LonghornInstallGathered, type LonghornInstallOptions } from './commands/install.js';
import {
  confirmLonghornUninstall,
  explainLonghornUninstallFailure,
  gatherLonghornUninstall,
  parseLonghornUninstall,
  reportLonghornUninstall,
  type LonghornUninstallCliOptions,
  type LonghornUninstallGathered,
} from './commands/uninstall.js';
import { readLonghornRoom } from './room.js';
import { collectLonghorn } from './status.js';

export const longhornRuntime: BackendRuntime<LonghornInstallOptions, LonghornInstallGathered, LonghornUninstallCliOptions, LonghornUninstallGathered> = {
  parseInstall: parseLonghornInstall,
  gatherInstall: gatherLonghornInstall,
  dryRunInstall: dryRunLonghornInstall,
  confirmInstall: confirmLonghornInstall,
  reportInstall: reportLonghornInstall,
  parseUninstall: parseLonghornUninstall,
  gatherUninstall: (ctx, session) => gatherLonghornUninstall(ctx, session),
  confirmUninstall: confirmLonghornUninstall,
  explainUninstallFailure: (err, session) => explainLonghornUninstallFailure(err, session),
  reportUninstall: (ctx, session, plan) => reportLonghornUninstall(ctx, session, plan),
  release: (facts) => facts.workdir.cleanup(),
  collect: async (session) => collectLonghorn(await session.kube(), session.namespaces()),
  resizeRoom: readLonghornRoom,
};
