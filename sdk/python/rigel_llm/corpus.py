"""Built-in English text: the training text of the test models' tokenizer, and their prompts."""

import numpy as np

TEXT = """\
A network of computers can share its work when every machine can prove what it did. The market
pays an operator for each shard of a job, and an oracle checks a sample of the items before the
money moves. If the check fails, the operator loses the collateral it locked when it accepted the
shard. Honest machines differ in small ways: one graphics card adds numbers in another order than
the next, one runs in half precision and another in full precision, and the last digits of every
result change. A rule that asks for the same bits from every machine would punish the honest ones,
so the rule must allow the noise that honest hardware makes and still catch the cheat who runs a
smaller model, skips the work, or copies the answer of another item.

The language model reads a prompt, one token at a time, and writes the next token it thinks most
likely. It keeps the keys and values of every earlier token in a cache, so each new token costs one
pass through the layers. The verifier does not need to write anything: it reads the prompt and the
whole answer in a single pass, and at every position it compares the numbers it computes with the
numbers the operator reported. When the two agree within the tolerance, and every token is the one
the rule would choose, the shard is valid and the operator is paid.

The river runs past the old mill and under the stone bridge, where children throw sticks into the
water and race to the other side to see which one comes out first. In the spring the water is high
and brown, and in the late summer it is low and clear, and you can see the fish resting in the
shade of the reeds. The miller's house has a red door and a garden of beans, onions and tall yellow
flowers that turn their faces to the sun. On market days the road is full of carts, and the smell
of fresh bread drifts from the bakery at the corner of the square.

Numbers tell the story: 12 oracles, 3 agents, 1,000 items, 16 tokens each, 256 dimensions, 8
layers, 2 cores. Time is measured in seconds, money in tokens, and trust in the rate at which a
cheat is caught. What's measured is true; what's assumed may not be. We'll check it again tomorrow.
"""


def words():
    return TEXT.split()


def prompts(count, seed=0, min_words=3, max_words=10):
    """`count` prompts, each a run of consecutive words of TEXT (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    ws = words()
    out = []
    for _ in range(count):
        n = int(rng.integers(min_words, max_words + 1))
        start = int(rng.integers(0, len(ws) - n))
        out.append(" ".join(ws[start : start + n]))
    return out
