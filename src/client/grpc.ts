/** gRPC status codes the CLI acts on (a stable part of the gRPC spec), read from an SDK error's cause chain. */
import { isGrpcServiceError } from '@temporalio/client';

export const GRPC_STATUS = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
} as const;

/** The first gRPC status code in the error or its causes. */
export function grpcCodeOf(err: unknown): number | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (isGrpcServiceError(e)) return e.code;
  return undefined;
}
