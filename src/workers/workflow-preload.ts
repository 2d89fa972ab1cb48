/**
 * Bundled with the workflows, though not a workflow: what the SDK evaluates once per worker
 * thread and shares between workflows (bundle.ts passes this file as `preloadModules`). Every
 * other module is evaluated again for each workflow (~85 KB of heap each for src/workflows). Only pure
 * modules belong here: no per-workflow state, no workflow APIs at import time. The SDK
 * deep-freezes what they export.
 */
import { z } from 'zod';
import '../interpreter';
import '../interpreter/agent-loop';
import '../interpreter/ceo-decision';
import '../interpreter/intake';
import '../interpreter/start-input';
import '../dsl/checks';
import '../ledger/progress';
import '../shared/commit-lock';
import '../shared/errors';
import '../shared/metrics';
import '../shared/priority';
import '../shared/roles';
import '../shared/run-options';

// zod fills its global config (locale, memoizer) lazily, on the first schema and the first
// container it builds; build both now, before the SDK freezes that config.
z.object({ filled: z.string() });
