import { agentText, type BehaviourVerdict } from "@quantdeck/shared";
import {
  isDark,
  isDarkBrownOrYellow,
  isLight,
  isLightBlue,
  isPipeColour,
  shadeOf,
  type Shade,
} from "./colours.js";
import type { Scene } from "./flappyScene.js";
import { verdict } from "./verdict.js";

// How the guide's Flappy Bird should look: a light background (light blue first), a dark
// bird (a square, circle or triangle), land at the bottom in dark brown or yellow, pipes in
// dark green, light brown or dark grey. Colours chosen at random are judged by every one
// seen while the game was played.

const BIRD_SHAPES = new Set(["rect", "circle", "ellipse", "polygon", "image"]);

function distinct(colours: (string | null | undefined)[]): string[] {
  return [...new Set(colours.filter((c): c is string => !!c))];
}

/** How many of the colours pass, and the figure's list of them (a few). */
function tally(colours: string[], test: (shade: Shade) => boolean) {
  const good = colours.filter((c) => {
    const shade = shadeOf(c);
    return shade !== null && test(shade);
  }).length;
  return { good, count: colours.length, colours: colours.slice(0, 4).join(", ") };
}

const firstWith = (scenes: Scene[], has: (scene: Scene) => boolean) => scenes.find(has)?.t ?? null;

export function flappyLooks(scenes: Scene[]): BehaviourVerdict[] {
  const backgrounds = distinct(scenes.map((s) => s.background));
  const first = shadeOf(backgrounds[0] ?? "");
  const light = tally(backgrounds, isLight);
  const birds = distinct(scenes.map((s) => s.bird?.fill));
  const dark = tally(birds, isDark);
  const shapes = new Set(scenes.flatMap((s) => (s.bird ? [s.bird.kind] : [])));
  const lands = distinct(scenes.map((s) => s.land?.fill));
  const landShare = scenes.filter((s) => s.land).length / Math.max(1, scenes.length);
  const land = tally(lands, isDarkBrownOrYellow);
  const pipes = tally(distinct(scenes.flatMap((s) => s.pipes.map((p) => p.fill))), isPipeColour);
  return [
    verdict(
      "background",
      first !== null && isLightBlue(first) && light.good === light.count,
      backgrounds.length === 0
        ? agentText("verdict.background.none")
        : agentText("verdict.background.figure", { first: backgrounds[0]!, ...light }),
      firstWith(scenes, (s) => s.background !== null),
    ),
    verdict(
      "birdColour",
      dark.count > 0 && dark.good === dark.count && [...shapes].every((s) => BIRD_SHAPES.has(s)),
      dark.count === 0
        ? agentText("verdict.birdColour.none")
        : agentText("verdict.birdColour.figure", dark),
      firstWith(scenes, (s) => s.bird !== null),
    ),
    verdict(
      "land",
      landShare >= 0.9 && land.good === land.count,
      lands.length === 0 ? agentText("verdict.land.none") : agentText("verdict.land.figure", land),
      firstWith(scenes, (s) => s.land !== null),
    ),
    verdict(
      "pipeColours",
      pipes.count > 0 && pipes.good === pipes.count,
      pipes.count === 0
        ? agentText("verdict.pipesMove.none")
        : agentText("verdict.pipeColours.figure", pipes),
      firstWith(scenes, (s) => s.pipes.length > 0),
    ),
  ];
}
