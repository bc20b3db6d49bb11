// cyzen input checks (issue 11): companyId's format, and every documented write field checked for
// its type (latitude/longitude ranges, 0/1 flags, datetimes, text), all problems reported at once,
// nothing sent.
import { assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { newStaticClient } from "./cyzen-common.js";

export const checks = {
  async "companyId must be 32 hex characters"(lib, env) {
    for (const companyId of ["acme", env.cyzen.companyId.slice(1), `${env.cyzen.companyId.slice(1)}g`]) {
      const error = await expectError(Promise.resolve().then(() => newStaticClient(lib, env, { companyId })), "INVALID_INPUT", lib.InvalidInputError);
      assertEqual(error.field, "companyId", "field");
    }
  },

  async "a spot with a non-numeric latitude, an out-of-range longitude and an object name: three issues, nothing sent"(lib, env) {
    const c = newStaticClient(lib, env);
    await clearRequestLog(env);
    const error = await expectError(
      c.spots.create({ spot_name: { ja: "本社" }, lat: "north", lon: 200, valid_from: "２０２４-04-01" }),
      "INVALID_INPUT",
      lib.InvalidInputError,
    );
    assertEqual(error.issues.map((i) => i.field), ["input.spot_name", "input.lat", "input.lon", "input.valid_from"], "issues");
    assert(error.issues[1].message.includes("latitude from -90 to 90"), error.issues[1].message);
    assertEqual(error.field, "input.spot_name", "the first issue names the field");
    assertEqual((await requestLog(env, "/webapi/v0/spots")).length, 0, "nothing sent");
    const created = await c.spots.create({ spot_name: "検証スポット", lat: "35.681", lon: 139.767 });
    assert(created !== null && typeof created === "object", "good values pass");
  },
};
