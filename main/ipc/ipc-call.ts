import type { Envelope } from '../../common/api/envelope.js';
import type { OperationName } from '../../common/api/companion-api.js';
import { toErrorShape } from '../../common/errors/companion-error.js';
import type { CompanionService } from '../../core/service/companion-service.js';
import { assertTrustedSender, type SenderFrame } from '../security/sender.js';

/**
 * One IPC call: sender check first, then argument validation (inside `invoke`), then the
 * engine. Errors come back as data so their code and hint survive `ipcMain.handle`.
 */
export async function handleIpcCall(
  service: Pick<CompanionService, 'invoke'>,
  operation: OperationName,
  frame: SenderFrame | null | undefined,
  args: readonly unknown[],
): Promise<Envelope<unknown>> {
  try {
    assertTrustedSender(frame);
    const value = await service.invoke(operation, args);
    return { ok: true, value: value ?? null };
  } catch (error) {
    return { ok: false, error: toErrorShape(error) };
  }
}
