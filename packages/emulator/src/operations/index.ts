/** Every operation the emulator answers, by its X-Amz-Target name. */
import { clientOperations } from "./clients.ts";
import type { OperationTable } from "./operation.ts";
import { poolOperations } from "./pools.ts";

export const operations: OperationTable = {
  ...poolOperations,
  ...clientOperations,
};
