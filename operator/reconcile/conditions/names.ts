import { defaultNamespace, InstanceNames } from '../../../cdk8s/index.js';
import type { StatusInputs } from './inputs.js';

/** Names of the instance's objects. */
export const instanceNames = ({ instance }: StatusInputs): InstanceNames =>
  new InstanceNames(instance.metadata.name, instance.metadata.namespace ?? defaultNamespace);
