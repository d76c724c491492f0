/** The OpenAPI description of the REST API, served at /api/openapi.json. */

const institution = {
  name: "institution",
  in: "query",
  required: false,
  description:
    "Institution code, one the user works in (default: the first of theirs; another is 404)",
  schema: { type: "string" },
};
const error = {
  description: "An error: { error, message }",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};
const json = (description: string): Record<string, unknown> => ({
  description,
  content: { "application/json": { schema: { type: "object" } } },
});
const path = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
const errors = { "401": error, "403": error, "404": error };
const profileCode = path("code", "An OCLC Connexion profile's code");
const query = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type: "string" },
});

export const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "marcgate",
    version: "1",
    description:
      "The REST API of marcgate's staff pages. Authenticate with an API token (Authorization: Bearer TOKEN; create one on the account page) or a browser session (writes then need X-CSRF-Token). A token acts with its user's roles, in the institutions the user works in only: Viewer reads, Cataloger also restores, resolves review and undoes jobs and imports, General System Administrator also sets the profile. ?institution=CODE picks the institution (404 when the user has no role there, as for one that does not exist); without it, the user's first institution works (jobs, review, profiles, imports) and records, jobs and review rows of any of the user's institutions (and their network zones) are reached. What another institution holds answers 404, as an ID that does not exist; a role too low there, 403.",
  },
  components: {
    securitySchemes: { token: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: {
        type: "object",
        required: ["error", "message"],
        properties: { error: { type: "string" }, message: { type: "string" } },
      },
    },
  },
  security: [{ token: [] }],
  paths: {
    "/api/status": {
      get: {
        summary: "Listener, exports today, failures, review queue size",
        parameters: [institution],
        responses: { "200": json("Status"), ...errors },
      },
    },
    "/api/search": {
      get: {
        summary: "Repository search with facets (zone, format, record type)",
        parameters: [
          institution,
          { name: "q", in: "query", required: true, schema: { type: "string" } },
          {
            name: "index",
            in: "query",
            schema: {
              type: "string",
              enum: [
                "keyword",
                "title",
                "author",
                "subject",
                "isbn",
                "issn",
                "oclc",
                "mmsId",
                "cql",
              ],
            },
            description:
              "cql: q is a CQL query (docs/search.md); a bad one is a 400 with the position",
          },
          {
            name: "sort",
            in: "query",
            schema: { type: "string", enum: ["relevance", "title", "author", "date"] },
          },
          { name: "zone", in: "query", schema: { type: "string" } },
          { name: "format", in: "query", schema: { type: "string" } },
          { name: "type", in: "query", schema: { type: "string" } },
          { name: "page", in: "query", schema: { type: "integer", minimum: 1 } },
        ],
        responses: {
          "200": json("total, capped, filtered, rows, facets"),
          "400": error,
          ...errors,
        },
      },
    },
    "/api/records/{mmsId}": {
      get: {
        summary:
          "A record: header and MARC-in-JSON, or a download (?format=iso2709|marcxml|json|mrk)",
        parameters: [
          path("mmsId", "MMS ID"),
          institution,
          {
            name: "format",
            in: "query",
            schema: { type: "string", enum: ["iso2709", "marcxml", "json", "mrk"] },
          },
        ],
        responses: { "200": json("The record"), ...errors },
      },
    },
    "/api/records/{mmsId}/versions": {
      get: {
        summary: "Every version, oldest first",
        parameters: [path("mmsId", "MMS ID")],
        responses: { "200": json("Versions"), ...errors },
      },
    },
    "/api/records/{mmsId}/restore": {
      post: {
        summary: "Save an earlier version as a new version (Cataloger)",
        parameters: [path("mmsId", "MMS ID")],
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["version"],
                properties: { version: { type: "integer" } },
              },
            },
          },
        },
        responses: { "200": json("{ mmsId, version }"), "409": error, ...errors },
      },
    },
    "/api/records/{mmsId}/delete": {
      post: {
        summary:
          "Delete the record (Cataloger): its versions are kept, restore brings it back; OAI-PMH shows it deleted",
        parameters: [path("mmsId", "MMS ID")],
        responses: {
          "200": json("{ mmsId, zone, version, deletedBy, deletedAt, action }"),
          "409": error,
          ...errors,
        },
      },
    },
    "/api/jobs": {
      get: {
        summary: "The institution's last 100 import jobs",
        parameters: [institution],
        responses: { "200": json("Jobs"), ...errors },
      },
    },
    "/api/outcomes": {
      get: {
        summary:
          "The outcome codes of job rows and their words (as the pages and replies say them)",
        responses: { "200": json("[{ outcome, label }]"), ...errors },
      },
    },
    "/api/jobs/{id}": {
      get: {
        summary:
          "A job's report (outcomes: [{ outcome, label, count, byReason }]) and one page of its rows, 100 a page (raw bytes in base64, decision log, outcomeLabel)",
        parameters: [
          path("id", "Job ID"),
          query("outcome", "Only this outcome's rows: its code or its words (see /api/outcomes)"),
          query("page", "The page, from 1 (default 1)"),
        ],
        responses: {
          "200": json("report, outcome, page, pages, perPage, total, counts, records"),
          "422": error,
          ...errors,
        },
      },
    },
    "/api/jobs/{id}/undo": {
      post: {
        summary: "Revert every change of the job (Cataloger)",
        parameters: [path("id", "Job ID")],
        responses: { "200": json("Undo report"), ...errors },
      },
    },
    "/api/review": {
      get: {
        summary: "The review queue (held rows still open)",
        parameters: [institution],
        responses: { "200": json("Rows"), ...errors },
      },
    },
    "/api/review/{row}/force": {
      post: {
        summary: "Force-import a held row (Cataloger)",
        parameters: [path("row", "Job row ID")],
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  target: {
                    type: "string",
                    description: '"again", "new", or an MMS ID to merge into',
                  },
                },
              },
            },
          },
        },
        responses: { "200": json("outcome, mmsId, reason"), "409": error, ...errors },
      },
    },
    "/api/review/{row}/discard": {
      post: {
        summary: "Discard a held row (Cataloger)",
        parameters: [path("row", "Job row ID")],
        requestBody: {
          content: {
            "application/json": {
              schema: { type: "object", properties: { note: { type: "string" } } },
            },
          },
        },
        responses: { "200": json("The row"), "409": error, ...errors },
      },
    },
    "/api/profiles": {
      get: {
        summary: "The institution's integration profiles and its OCLC Connexion settings",
        parameters: [institution],
        responses: { "200": json("Profiles"), ...errors },
      },
    },
    "/api/profiles/connexion": {
      put: {
        summary:
          "Set the OCLC Connexion profile of the body's code, new or replaced (General System Administrator; the institution's first profile is its default); the settings of `marcgate profile import`",
        parameters: [institution],
        requestBody: { content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          "200": json("The profile (password as (set)), isDefault, logonId"),
          "422": json("errors: [{ key, message }]"),
          ...errors,
        },
      },
    },
    "/api/profiles/connexion/{code}": {
      get: {
        summary: "One OCLC Connexion profile of the institution, by its code",
        parameters: [institution, profileCode],
        responses: {
          "200": json("The profile (password as (set)), isDefault, logonId"),
          ...errors,
        },
      },
      put: {
        summary:
          "Set the OCLC Connexion profile of that code, new or replaced (General System Administrator); a code in the body must be the same",
        parameters: [institution, profileCode],
        requestBody: { content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          "200": json("The profile (password as (set)), isDefault, logonId"),
          "422": json("errors: [{ key, message }]"),
          ...errors,
        },
      },
      delete: {
        summary:
          "Delete the OCLC Connexion profile of that code (General System Administrator); not the default (422)",
        parameters: [institution, profileCode],
        responses: { "200": json("code, deleted"), "422": error, ...errors },
      },
    },
    "/api/profiles/connexion/{code}/default": {
      post: {
        summary:
          "Make the OCLC Connexion profile of that code the default (General System Administrator): the logon ID that is the institution code reaches it",
        parameters: [institution, profileCode],
        responses: { "200": json("code, isDefault, logonId"), ...errors },
      },
    },
    "/api/import": {
      post: {
        summary:
          "Run the OCLC Connexion profile (the default, or profile=CODE) on records (one job), or decide only with dryRun=true (Cataloger)",
        parameters: [
          institution,
          { name: "profile", in: "query", schema: { type: "string" } },
          { name: "dryRun", in: "query", schema: { type: "boolean" } },
          {
            name: "from",
            in: "query",
            schema: { type: "string", enum: ["iso2709", "marcxml", "json", "mrk"] },
          },
        ],
        requestBody: {
          content: {
            "application/marc": { schema: { type: "string", format: "binary" } },
            "application/marcxml+xml": { schema: { type: "string" } },
            "text/plain": { schema: { type: "string" } },
          },
        },
        responses: {
          "200": json(
            "dryRun, jobId, records: [{ index, outcome, reasonCode, reason, mmsId, log }]",
          ),
          "400": error,
          "409": error,
          ...errors,
        },
      },
    },
  },
} as const;
