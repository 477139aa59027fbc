/** Which candidates already run, from the provisioners of the classes that exist (pure). */
import { backendForProvisioner } from '../backends/index.js';
import type { CandidateId } from './rules.js';

/** A candidate is a backend or one of its variants (openebs-mayastor, nfs-in-cluster): the registry's ids. */
export function installedCandidates(classes: readonly { provisioner?: string }[]): CandidateId[] {
  return [...new Set(classes.map((c) => backendForProvisioner(c.provisioner)?.id as CandidateId | undefined).filter((id): id is CandidateId => id !== undefined))];
}
