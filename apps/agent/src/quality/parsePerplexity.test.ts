import { describe, expect, it } from "vitest";
import { lastChunk, parseFinalPerplexity, parseKlDivergence } from "./parsePerplexity.js";

// Lines as llama-perplexity (this llama.cpp) prints them.
const KLD_OUTPUT = `
chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              Δp RMS            Same top p
   1      12.3456 ±    1.2345       0.00123 ±    0.00456       0.00456 ±    0.00012     0.789 ±  0.012 %    98.765 ±  0.456 %
   2      11.2345 ±    1.0000       0.00100 ±    0.00400       0.00400 ±    0.00010     0.700 ±  0.010 %    98.800 ±  0.400 %

====== Perplexity statistics ======
Mean PPL(Q)                   :  11.789000 ±   0.812000
Mean PPL(base)                :  11.770000 ±   0.810000
Cor(ln(PPL(Q)), ln(PPL(base))):  99.98%
Mean ln(PPL(Q)/PPL(base))     :   0.001600 ±   0.000300
Mean PPL(Q)/PPL(base)         :   1.001601 ±   0.000300
Mean PPL(Q)-PPL(base)         :   0.019000 ±   0.004000

====== KL divergence statistics ======
Mean    KLD:   0.004280 ±   0.000110
Maximum KLD:   0.512345
99.9%   KLD:   0.212345
99.0%   KLD:   0.051234
95.0%   KLD:   0.015000
90.0%   KLD:   0.009000
Median  KLD:   0.002100
10.0%   KLD:   0.000050
Minimum KLD:   0.000001

====== Token probability statistics ======
Mean    Δp: -0.012 ± 0.010 %
RMS Δp    :  0.745 ± 0.011 %
Same top p: 98.780 ± 0.300 %
`;

describe("llama-perplexity's output", () => {
  it("gives every figure of a KL divergence run by its label", () => {
    expect(parseKlDivergence(KLD_OUTPUT)).toEqual({
      perplexity: 11.789,
      perplexityUncertainty: 0.812,
      meanKld: 0.00428,
      medianKld: 0.0021,
      kld99: 0.051234,
      kld999: 0.212345,
      maxKld: 0.512345,
      sameTopPercent: 98.78,
      rmsDeltaPPercent: 0.745,
    });
    // A perplexity that overflowed is no number; the KL divergence still is.
    const overflowed = KLD_OUTPUT.replace("11.789000 ±   0.812000", "inf ± nan");
    expect(parseKlDivergence(overflowed)).toMatchObject({ perplexity: null, meanKld: 0.00428 });
    // A run cut short has no statistics.
    expect(parseKlDivergence(KLD_OUTPUT.slice(0, 400))).toBeNull();
  });

  it("reads the reference's perplexity and the chunks done", () => {
    expect(parseFinalPerplexity("Final estimate: PPL = 8.1234 +/- 0.05678\n")).toEqual({
      perplexity: 8.1234,
      uncertainty: 0.05678,
    });
    expect(parseFinalPerplexity("no estimate")).toBeNull();
    expect(lastChunk("[1]12.3456,[2]11.2345,[3]10.9876,")).toBe(3);
    expect(lastChunk("   2      11.2345 ±    1.0000       0.00100 ±")).toBe(2);
    expect(lastChunk("llama_model_loader: loaded meta data")).toBeNull();
  });
});
