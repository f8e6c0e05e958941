import type { JobTemplate } from "./jobTemplate";

/**
 * A batch of independent items, one container run each (PROTOCOL §12.3: the item in `RIGEL_ITEM`,
 * the output in `RIGEL_OUTPUT`). The image is the local test image that scripts/build-test-image.sh
 * builds (no registry); the command upper-cases each item, deterministically, so the oracles' re-runs
 * of sampled items reproduce it byte for byte.
 */
export const batchContainerTemplate: JobTemplate = {
  name: "batch-container",
  title: "Batch container job over items",
  description:
    "Runs one container per item and commits each item's output directory; the oracles re-run sampled items. " +
    "Replace the image with your own (pinned by digest), the command with your program, and the items with your work list.",
  spec: {
    kind: "container",
    image: "rigel/busybox:test",
    command: ["sh", "-c", 'printf "%s\\n" "$RIGEL_ITEM" | tr a-z A-Z > "$RIGEL_OUTPUT/out.txt"'],
    memoryMiB: 256,
    milliCpus: 1000,
    timeoutSec: 120,
    items: ["alpha", "beta", "gamma", "delta"],
    verification: "sampled",
  },
  plan: {
    itemSeconds: 1,
    referenceOpsPerSec: 1_000_000_000_000,
    maxPrice: "1",
    budget: "100",
    maxShards: 2,
    deadlineMinutes: 60,
  },
  placeholders: [
    {
      path: "image",
      note: "rigel/busybox:test exists only where scripts/build-test-image.sh ran: use your image, pinned by digest",
    },
  ],
};
