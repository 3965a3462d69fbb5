// Validate Adaptive Cards with the official parser (npm `adaptivecards`), as Teams' clients
// build on it: reads a JSON array of cards on stdin, prints one result per card as JSON:
// {"errors": [...], "warnings": [...]} (parse and validation events, Adaptive Cards 1.5).
// Usage: node validate_cards.mjs <node_modules dir> < cards.json
import { createRequire } from "node:module";
import path from "node:path";

const modules = process.argv[2];
const require = createRequire(path.join(modules, "noop.js"));
const AC = require("adaptivecards/dist/adaptivecards.js"); // lib/ is ESM without extensions

const ERRORS = new Set(["error"]);
let input = "";
for await (const chunk of process.stdin) input += chunk;

const results = JSON.parse(input).map((json) => {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i += 1) events.push(context.getEventAt(i));
  events.push(...card.validateProperties().validationEvents);
  const shown = (e) => `${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`;
  const level = (e) => (e.phase === AC.ValidationPhase.Validation || e.phase === undefined
    ? "error" : AC.ValidationPhase[e.phase]);
  return {
    errors: events.filter((e) => ERRORS.has(level(e))).map(shown),
    warnings: events.filter((e) => !ERRORS.has(level(e))).map(shown),
  };
});
process.stdout.write(JSON.stringify(results));
