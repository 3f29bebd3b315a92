import Hummingbird
import NIOCore

/// The OpenAPI 3.1 description of every route of the collector's HTTP listener, served at
/// `GET /api/v1/openapi.json` without a token (docs/query-api.md says why, and says the same
/// in prose).
///
/// `OpenAPIDocumentTests` holds it to the router: a route the router registers and the document
/// lacks (or the other way round) fails, as does a `$ref` that resolves nowhere or a response
/// that does not match its schema's required fields and types. Add a route here when you add it
/// to ``CollectorApp/makeRouter()``.
enum OpenAPIDocument {
    /// Where the document is served.
    static let path = "/api/v1/openapi.json"

    /// `GET /api/v1/openapi.json`: the document as `application/json`.
    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// The document.
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Choreoscope collector API",
            "version": "1",
            "summary": "OTLP/HTTP ingest, the flow and trace query API, metrics and health of choreo-collector.",
            "description": "Routes, parameters, fields and errors of choreo-collector's HTTP listener; docs/query-api.md in the repository says the same in prose. JSON keys are snake_case, times RFC 3339, ids lower-case hex; fields may be added, never renamed. Every refusal of a query route is `{\"error\": \"...\"}`."
          },
          "servers": [
            {
              "url": "http://127.0.0.1:4320",
              "description": "choreo-collector's default listener"
            }
          ],
          "tags": [
            {
              "name": "ingest"
            },
            {
              "name": "query"
            },
            {
              "name": "jaeger"
            },
            {
              "name": "meta"
            },
            {
              "name": "operations"
            },
            {
              "name": "dashboard"
            }
          ],
          "paths": {
            "/v1/traces": {
              "post": {
                "operationId": "ingestTraces",
                "tags": [
                  "ingest"
                ],
                "summary": "OTLP/HTTP trace ingest",
                "description": "An OTLP `ExportTraceServiceRequest` as protobuf (`application/x-protobuf`) or JSON (`application/json`), optionally `Content-Encoding: gzip`. Answered 200 only once the spans are committed. Every refusal carries an OTLP `Status` in the request's encoding. Senders retry only 429 and 503 (and 502, 504 from proxies), after `Retry-After`.",
                "security": [
                  {
                    "ingestToken": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/x-protobuf": {
                      "schema": {
                        "type": "string",
                        "contentMediaType": "application/x-protobuf"
                      }
                    },
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "description": "OTLP/JSON ExportTraceServiceRequest (resourceSpans)."
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Committed. `partialSuccess.rejectedSpans` counts spans refused for invalid ids, with `errorMessage`.",
                    "content": {
                      "application/x-protobuf": {
                        "schema": {
                          "type": "string",
                          "contentMediaType": "application/x-protobuf"
                        }
                      },
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/OTLPExportResponse"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/OTLPRefusal"
                  },
                  "401": {
                    "$ref": "#/components/responses/OTLPRefusal"
                  },
                  "413": {
                    "$ref": "#/components/responses/OTLPRefusal"
                  },
                  "429": {
                    "$ref": "#/components/responses/OTLPRetry"
                  },
                  "503": {
                    "$ref": "#/components/responses/OTLPRetry"
                  }
                }
              }
            },
            "/api/v1/flows": {
              "get": {
                "operationId": "listFlows",
                "tags": [
                  "query"
                ],
                "summary": "List flows",
                "description": "Flow summaries from the flow index, most recent activity first.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/status"
                  },
                  {
                    "$ref": "#/components/parameters/type"
                  },
                  {
                    "$ref": "#/components/parameters/service"
                  },
                  {
                    "$ref": "#/components/parameters/since"
                  },
                  {
                    "$ref": "#/components/parameters/until"
                  },
                  {
                    "$ref": "#/components/parameters/flowLimit"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The flows.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/FlowSummary"
                          }
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/flows/stats": {
              "get": {
                "operationId": "flowStats",
                "tags": [
                  "query"
                ],
                "summary": "Flows per status",
                "description": "Counts of indexed flows per status, with the flow filters.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/status"
                  },
                  {
                    "$ref": "#/components/parameters/type"
                  },
                  {
                    "$ref": "#/components/parameters/service"
                  },
                  {
                    "$ref": "#/components/parameters/since"
                  },
                  {
                    "$ref": "#/components/parameters/until"
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "description": "Accepted for symmetry; only 1.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Counts.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/FlowStats"
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/flows/{id}": {
              "get": {
                "operationId": "getFlow",
                "tags": [
                  "query"
                ],
                "summary": "One flow",
                "description": "The flow with this correlation id, rebuilt from its spans now and judged as the indexer recorded. With any paging parameter the answer is a page: `steps` holds only the steps asked for (`steps_from`/`steps_limit` or `steps_at`) with `steps_total` (and `steps_from`), `trace_ids` at most `traces_limit` (default 100) trace ids from `traces_from` with `traces_from`, `traces_total`, and `outline` the flow's shape when asked; the header, findings and counts cover the whole flow.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/correlationID"
                  },
                  {
                    "name": "steps_from",
                    "in": "query",
                    "description": "First step to return, 0-based.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "steps_limit",
                    "in": "query",
                    "description": "Steps to return, at most (0: none).",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "steps_at",
                    "in": "query",
                    "description": "Step indexes and inclusive ranges, comma-separated (0-1,99999), at most 10,000 steps; not with steps_from or steps_limit.",
                    "schema": {
                      "type": "string",
                      "pattern": "^([0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)?$"
                    }
                  },
                  {
                    "name": "traces_from",
                    "in": "query",
                    "description": "First trace id to list, 0-based.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "traces_limit",
                    "in": "query",
                    "description": "Trace ids to list, at most (default 100 in a page).",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "outline",
                    "in": "query",
                    "description": "true: add the flow's outline (its shape, about 16 bytes a step).",
                    "schema": {
                      "type": "boolean"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The flow.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Flow"
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              }
            },
            "/api/v1/flows/{id}/export": {
              "get": {
                "operationId": "exportFlow",
                "tags": [
                  "query"
                ],
                "summary": "Export one flow",
                "description": "The flow as a Mermaid sequence diagram, Graphviz DOT, JSON (the flow's JSON) or XES (one trace).",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/correlationID"
                  },
                  {
                    "$ref": "#/components/parameters/format"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The export, in the format asked for.",
                    "content": {
                      "text/vnd.mermaid": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "text/vnd.graphviz": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Flow"
                        }
                      },
                      "application/xml": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              }
            },
            "/api/v1/map": {
              "get": {
                "operationId": "processMap",
                "tags": [
                  "query"
                ],
                "summary": "Process map",
                "description": "The directly-follows graph of message types over the filtered flows (from the index's trails, no rebuild).",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/status"
                  },
                  {
                    "$ref": "#/components/parameters/type"
                  },
                  {
                    "$ref": "#/components/parameters/service"
                  },
                  {
                    "$ref": "#/components/parameters/since"
                  },
                  {
                    "$ref": "#/components/parameters/until"
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "description": "Flows read, 1-1,000,000 (default 10,000).",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000000
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The map.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ProcessMap"
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/map/export": {
              "get": {
                "operationId": "exportMap",
                "tags": [
                  "query"
                ],
                "summary": "Export the process map",
                "description": "The map as Mermaid, DOT or JSON; `xes` exports the filtered flows as an XES event log.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/status"
                  },
                  {
                    "$ref": "#/components/parameters/type"
                  },
                  {
                    "$ref": "#/components/parameters/service"
                  },
                  {
                    "$ref": "#/components/parameters/since"
                  },
                  {
                    "$ref": "#/components/parameters/until"
                  },
                  {
                    "$ref": "#/components/parameters/format"
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "description": "Flows read, 1-1,000,000 (default 10,000).",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000000
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The export.",
                    "content": {
                      "text/vnd.mermaid": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "text/vnd.graphviz": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ProcessMap"
                        }
                      },
                      "application/xml": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/variants": {
              "get": {
                "operationId": "variants",
                "tags": [
                  "query"
                ],
                "summary": "Variants",
                "description": "The distinct paths (sequences of message types) of the filtered flows, most frequent first.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/status"
                  },
                  {
                    "$ref": "#/components/parameters/type"
                  },
                  {
                    "$ref": "#/components/parameters/service"
                  },
                  {
                    "$ref": "#/components/parameters/since"
                  },
                  {
                    "$ref": "#/components/parameters/until"
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "description": "Variants listed, 1-100,000 (default all).",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 100000
                    }
                  },
                  {
                    "name": "flows",
                    "in": "query",
                    "description": "Flows read, 1-1,000,000 (default 10,000).",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000000
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The variants.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/VariantReport"
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/traces": {
              "get": {
                "operationId": "searchTraces",
                "tags": [
                  "query"
                ],
                "summary": "Search traces",
                "description": "Traces with a span matching every condition, newest first.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "service",
                    "in": "query",
                    "description": "A span's service.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "name",
                    "in": "query",
                    "description": "A span's name.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "attribute",
                    "in": "query",
                    "description": "`key=value`, repeated (every one must match); at most 100.",
                    "schema": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    },
                    "style": "form",
                    "explode": true
                  },
                  {
                    "name": "errors",
                    "in": "query",
                    "description": "`true`: only traces with a span of status error.",
                    "schema": {
                      "type": "boolean"
                    }
                  },
                  {
                    "$ref": "#/components/parameters/since"
                  },
                  {
                    "$ref": "#/components/parameters/until"
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "description": "Traces, 1-1,000 (default 20).",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The traces.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/TraceSummary"
                          }
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/traces/{id}": {
              "get": {
                "operationId": "getTrace",
                "tags": [
                  "query"
                ],
                "summary": "One trace",
                "description": "Every span the collector holds of the trace.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The trace id: 32 hex digits, not all zero.",
                    "schema": {
                      "type": "string",
                      "pattern": "^[0-9a-fA-F]{32}$"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The trace.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TraceDocument"
                        }
                      }
                    },
                    "headers": {
                      "Choreo-Index-Updated-At": {
                        "$ref": "#/components/headers/IndexUpdatedAt"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              }
            },
            "/api/services": {
              "get": {
                "operationId": "jaegerServices",
                "tags": [
                  "jaeger"
                ],
                "summary": "Jaeger: services",
                "description": "Every service that sent spans, sorted. Jaeger's query API as Grafana's Jaeger data source and the Jaeger UI read it.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [],
                "responses": {
                  "200": {
                    "description": "Jaeger's envelope with the answer in `data`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "data",
                            "total",
                            "limit",
                            "offset",
                            "errors"
                          ],
                          "properties": {
                            "data": {
                              "type": "array",
                              "items": {
                                "type": "string"
                              }
                            },
                            "total": {
                              "type": "integer"
                            },
                            "limit": {
                              "type": "integer"
                            },
                            "offset": {
                              "type": "integer"
                            },
                            "errors": {
                              "type": "null"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/JaegerBadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/services/{service}/operations": {
              "get": {
                "operationId": "jaegerServiceOperations",
                "tags": [
                  "jaeger"
                ],
                "summary": "Jaeger: a service's operations (legacy)",
                "description": "The distinct span names of the service, sorted. Jaeger's query API as Grafana's Jaeger data source and the Jaeger UI read it.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "service",
                    "in": "path",
                    "required": true,
                    "description": "The service, percent-encoded.",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Jaeger's envelope with the answer in `data`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "data",
                            "total",
                            "limit",
                            "offset",
                            "errors"
                          ],
                          "properties": {
                            "data": {
                              "type": "array",
                              "items": {
                                "type": "string"
                              }
                            },
                            "total": {
                              "type": "integer"
                            },
                            "limit": {
                              "type": "integer"
                            },
                            "offset": {
                              "type": "integer"
                            },
                            "errors": {
                              "type": "null"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/JaegerBadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/operations": {
              "get": {
                "operationId": "jaegerOperations",
                "tags": [
                  "jaeger"
                ],
                "summary": "Jaeger: operations",
                "description": "The service's operations with their span kind. Jaeger's query API as Grafana's Jaeger data source and the Jaeger UI read it.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "service",
                    "in": "query",
                    "required": true,
                    "description": "The service.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "spanKind",
                    "in": "query",
                    "description": "Only operations of this kind.",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "server",
                        "client",
                        "producer",
                        "consumer",
                        "internal"
                      ]
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Jaeger's envelope with the answer in `data`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "data",
                            "total",
                            "limit",
                            "offset",
                            "errors"
                          ],
                          "properties": {
                            "data": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/JaegerOperation"
                              }
                            },
                            "total": {
                              "type": "integer"
                            },
                            "limit": {
                              "type": "integer"
                            },
                            "offset": {
                              "type": "integer"
                            },
                            "errors": {
                              "type": "null"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/JaegerBadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/traces": {
              "get": {
                "operationId": "jaegerSearchTraces",
                "tags": [
                  "jaeger"
                ],
                "summary": "Jaeger: search traces",
                "description": "Traces with a span of `service` matching every condition, newest first; or, with `traceID`, those traces. Jaeger's query API as Grafana's Jaeger data source and the Jaeger UI read it.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "service",
                    "in": "query",
                    "description": "Required unless `traceID` is given.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "operation",
                    "in": "query",
                    "description": "A span name.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "tags",
                    "in": "query",
                    "description": "A JSON object of strings (`{\"error\":\"true\"}`) or logfmt (`error=true component=\"a b\"`); repeatable.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "tag",
                    "in": "query",
                    "description": "`key:value`; repeatable.",
                    "schema": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    },
                    "style": "form",
                    "explode": true
                  },
                  {
                    "name": "minDuration",
                    "in": "query",
                    "description": "A duration such as `1.2s`, `100ms`, `1h30m` (units ns, us, ms, s, m, h).",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "maxDuration",
                    "in": "query",
                    "description": "As `minDuration`; greater than it.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "start",
                    "in": "query",
                    "description": "Unix microseconds.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "end",
                    "in": "query",
                    "description": "Unix microseconds (default now).",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "lookback",
                    "in": "query",
                    "description": "Instead of `start`: a duration back from `end` (`1h`, `2d`; `custom` means use `start`).",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "description": "Traces, at most (0: the default).",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "traceID",
                    "in": "query",
                    "description": "Trace ids (1-32 hex digits); repeatable.",
                    "schema": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    },
                    "style": "form",
                    "explode": true
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Jaeger's envelope with the answer in `data`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "data",
                            "total",
                            "limit",
                            "offset",
                            "errors"
                          ],
                          "properties": {
                            "data": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/JaegerTrace"
                              }
                            },
                            "total": {
                              "type": "integer"
                            },
                            "limit": {
                              "type": "integer"
                            },
                            "offset": {
                              "type": "integer"
                            },
                            "errors": {
                              "type": "null"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/JaegerBadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/traces/{traceID}": {
              "get": {
                "operationId": "jaegerGetTrace",
                "tags": [
                  "jaeger"
                ],
                "summary": "Jaeger: one trace",
                "description": "The trace in Jaeger's model (one element in `data`). Jaeger's query API as Grafana's Jaeger data source and the Jaeger UI read it.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "traceID",
                    "in": "path",
                    "required": true,
                    "description": "1 to 32 hex digits, not all zero.",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Jaeger's envelope with the answer in `data`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "data",
                            "total",
                            "limit",
                            "offset",
                            "errors"
                          ],
                          "properties": {
                            "data": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/JaegerTrace"
                              }
                            },
                            "total": {
                              "type": "integer"
                            },
                            "limit": {
                              "type": "integer"
                            },
                            "offset": {
                              "type": "integer"
                            },
                            "errors": {
                              "type": "null"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/JaegerBadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  },
                  "404": {
                    "$ref": "#/components/responses/JaegerNotFound"
                  }
                }
              }
            },
            "/api/dependencies": {
              "get": {
                "operationId": "jaegerDependencies",
                "tags": [
                  "jaeger"
                ],
                "summary": "Jaeger: service dependencies",
                "description": "Service edges (a service published messages another consumed, or called it) from the flows active in the window. Jaeger's query API as Grafana's Jaeger data source and the Jaeger UI read it.",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "parameters": [
                  {
                    "name": "endTs",
                    "in": "query",
                    "description": "Unix milliseconds (default now).",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "lookback",
                    "in": "query",
                    "description": "Milliseconds back from `endTs`.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Jaeger's envelope with the answer in `data`.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "data",
                            "total",
                            "limit",
                            "offset",
                            "errors"
                          ],
                          "properties": {
                            "data": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/JaegerDependencyLink"
                              }
                            },
                            "total": {
                              "type": "integer"
                            },
                            "limit": {
                              "type": "integer"
                            },
                            "offset": {
                              "type": "integer"
                            },
                            "errors": {
                              "type": "null"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/JaegerBadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "500": {
                    "$ref": "#/components/responses/StoreDamaged"
                  },
                  "503": {
                    "$ref": "#/components/responses/StoreUnavailable"
                  }
                }
              }
            },
            "/api/v1/openapi.json": {
              "get": {
                "operationId": "openAPIDocument",
                "tags": [
                  "meta"
                ],
                "summary": "This document",
                "description": "The OpenAPI 3.1 description of every route. Served without a token: it holds no data, is the same for every collector of a version, and tools read it to learn how to authenticate.",
                "security": [
                  {}
                ],
                "responses": {
                  "200": {
                    "description": "The document.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "openapi",
                            "info",
                            "paths"
                          ]
                        }
                      }
                    }
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "tags": [
                  "operations"
                ],
                "summary": "Prometheus metrics",
                "description": "The Prometheus text exposition of `choreo_collector_*` (Collector/README.md, Metrics).",
                "security": [
                  {
                    "queryToken": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Text exposition 0.0.4.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  }
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "health",
                "tags": [
                  "operations"
                ],
                "summary": "Liveness",
                "description": "`ok` while the process answers.",
                "security": [
                  {}
                ],
                "responses": {
                  "200": {
                    "description": "Alive.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string",
                          "const": "ok\n"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "readiness",
                "tags": [
                  "operations"
                ],
                "summary": "Readiness",
                "description": "`ready` while the collector takes spans and its store works; 503 once graceful shutdown began or while the store's reads or commits fail.",
                "security": [
                  {}
                ],
                "responses": {
                  "200": {
                    "description": "Ready.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string",
                          "const": "ready\n"
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Not ready: `shutting down`, or why the store fails.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/": {
              "get": {
                "operationId": "dashboard",
                "tags": [
                  "dashboard"
                ],
                "summary": "Web dashboard",
                "description": "The dashboard's page. Static, no token: the page asks for the query token and sends it with its API calls.",
                "security": [
                  {}
                ],
                "responses": {
                  "200": {
                    "description": "HTML.",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/ui/{path}": {
              "get": {
                "operationId": "dashboardAsset",
                "tags": [
                  "dashboard"
                ],
                "summary": "Dashboard assets",
                "description": "The dashboard's static files (JavaScript modules, CSS); the router matches any depth (`/ui/**`).",
                "security": [
                  {}
                ],
                "parameters": [
                  {
                    "name": "path",
                    "in": "path",
                    "required": true,
                    "description": "The asset's path below `/ui/`, slashes included.",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The file.",
                    "content": {
                      "*/*": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No such asset."
                  }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "queryToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "The collector's --query-token-file. Without it configured, the query routes are open."
              },
              "ingestToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "The collector's --ingest-token-file (the agent's --collector-token-file). Without it configured, ingest is open."
              }
            },
            "headers": {
              "IndexUpdatedAt": {
                "description": "RFC 3339: every span committed before it is in the flow index.",
                "schema": {
                  "type": "string",
                  "format": "date-time"
                }
              }
            },
            "parameters": {
              "status": {
                "name": "status",
                "in": "query",
                "description": "Flow statuses; repeated or comma-separated, at most 100 values.",
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/FlowStatus"
                  }
                },
                "style": "form",
                "explode": true
              },
              "type": {
                "name": "type",
                "in": "query",
                "description": "Message types a flow holds; repeated or comma-separated, at most 100 values.",
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                },
                "style": "form",
                "explode": true
              },
              "service": {
                "name": "service",
                "in": "query",
                "description": "Services a flow touches; repeated or comma-separated, at most 100 values.",
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                },
                "style": "form",
                "explode": true
              },
              "since": {
                "name": "since",
                "in": "query",
                "description": "RFC 3339 or Unix nanoseconds, at most 2262-04-11T23:47:16.854775807Z.",
                "schema": {
                  "type": "string"
                }
              },
              "until": {
                "name": "until",
                "in": "query",
                "description": "RFC 3339 or Unix nanoseconds, at most 2262-04-11T23:47:16.854775807Z.",
                "schema": {
                  "type": "string"
                }
              },
              "flowLimit": {
                "name": "limit",
                "in": "query",
                "description": "Flows, 1-100,000 (default 100).",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 100000
                }
              },
              "format": {
                "name": "format",
                "in": "query",
                "description": "Export format (default json).",
                "schema": {
                  "type": "string",
                  "enum": [
                    "mermaid",
                    "dot",
                    "json",
                    "xes"
                  ]
                }
              },
              "correlationID": {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "The correlation id, percent-encoded (it may hold `/`).",
                "schema": {
                  "type": "string"
                }
              }
            },
            "responses": {
              "BadRequest": {
                "description": "A parameter or path id is malformed or out of range.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              },
              "Unauthorized": {
                "description": "Token missing, wrong or malformed; `WWW-Authenticate: Bearer`.",
                "headers": {
                  "WWW-Authenticate": {
                    "schema": {
                      "type": "string"
                    }
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              },
              "NotFound": {
                "description": "No flow or trace with that id.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              },
              "StoreDamaged": {
                "description": "The span store's data is damaged.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              },
              "StoreUnavailable": {
                "description": "The span store failed (retry after `Retry-After`), or is closed during shutdown.",
                "headers": {
                  "Retry-After": {
                    "schema": {
                      "type": "string"
                    }
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              },
              "JaegerBadRequest": {
                "description": "A parameter is missing or malformed (Jaeger's error envelope).",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/JaegerFailure"
                    }
                  }
                }
              },
              "JaegerNotFound": {
                "description": "No such trace (Jaeger's error envelope).",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/JaegerFailure"
                    }
                  }
                }
              },
              "OTLPRefusal": {
                "description": "Refused for good: malformed (400), unauthorized (401), too large (413). The body is an OTLP Status in the request's encoding.",
                "content": {
                  "application/x-protobuf": {
                    "schema": {
                      "type": "string"
                    }
                  },
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/OTLPStatus"
                    }
                  }
                }
              },
              "OTLPRetry": {
                "description": "Overloaded (429) or unavailable (503: store failure, shutting down); retry after `Retry-After` seconds.",
                "headers": {
                  "Retry-After": {
                    "schema": {
                      "type": "string"
                    }
                  }
                },
                "content": {
                  "application/x-protobuf": {
                    "schema": {
                      "type": "string"
                    }
                  },
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/OTLPStatus"
                    }
                  }
                }
              }
            },
            "schemas": {
              "Error": {
                "type": "object",
                "required": [
                  "error"
                ],
                "properties": {
                  "error": {
                    "type": "string",
                    "description": "What was wrong: the parameter, the reason and (cut to 200 characters) the value sent."
                  }
                }
              },
              "OTLPStatus": {
                "type": "object",
                "description": "google.rpc.Status in OTLP/JSON.",
                "properties": {
                  "code": {
                    "type": "integer"
                  },
                  "message": {
                    "type": "string"
                  }
                }
              },
              "OTLPExportResponse": {
                "type": "object",
                "properties": {
                  "partialSuccess": {
                    "type": "object",
                    "properties": {
                      "rejectedSpans": {
                        "type": [
                          "string",
                          "integer"
                        ]
                      },
                      "errorMessage": {
                        "type": "string"
                      }
                    }
                  }
                }
              },
              "FlowStatus": {
                "type": "string",
                "enum": [
                  "completed",
                  "compensated",
                  "failed",
                  "in_flight",
                  "stuck"
                ],
                "description": "docs/wire-conventions.md, Flow status."
              },
              "DeliveryOutcome": {
                "type": "string",
                "enum": [
                  "handled",
                  "retry",
                  "dead_lettered",
                  "duplicate_ignored"
                ]
              },
              "FlowSummary": {
                "type": "object",
                "required": [
                  "correlation_id",
                  "status",
                  "outcome",
                  "started_at",
                  "last_activity_at",
                  "step_count",
                  "compensation_count",
                  "error_count",
                  "waiting_for",
                  "services",
                  "types"
                ],
                "properties": {
                  "correlation_id": {
                    "type": "string"
                  },
                  "status": {
                    "$ref": "#/components/schemas/FlowStatus"
                  },
                  "outcome": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The terminal message type, once the flow ended."
                  },
                  "started_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "last_activity_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "step_count": {
                    "type": "integer"
                  },
                  "compensation_count": {
                    "type": "integer"
                  },
                  "error_count": {
                    "type": "integer"
                  },
                  "waiting_for": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The message type a stuck or in-flight flow waits for."
                  },
                  "services": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "types": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  }
                }
              },
              "FlowStats": {
                "type": "object",
                "required": [
                  "by_status",
                  "total"
                ],
                "properties": {
                  "by_status": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "integer"
                    },
                    "description": "Flows per status (keys: FlowStatus values)."
                  },
                  "total": {
                    "type": "integer"
                  }
                }
              },
              "Flow": {
                "type": "object",
                "description": "`choreo flows show --json`. Times RFC 3339, corrected for clock skew (`raw_*`: as recorded). Fields may be added, never renamed.",
                "required": [
                  "correlation_id",
                  "status",
                  "outcome",
                  "trace_ids",
                  "started_at",
                  "ended_at",
                  "waiting_for",
                  "steps"
                ],
                "properties": {
                  "correlation_id": {
                    "type": "string"
                  },
                  "status": {
                    "$ref": "#/components/schemas/FlowStatus"
                  },
                  "outcome": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "trace_ids": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "pattern": "^[0-9a-f]{32}$"
                    }
                  },
                  "started_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "ended_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "waiting_for": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "gaps": {
                    "type": "integer"
                  },
                  "steps": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/FlowStep"
                    }
                  },
                  "unconsumed": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "dead_lettered": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "duplicates_ignored": {
                    "type": "integer"
                  },
                  "gap_ids": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "unseen_deliveries": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "unseen_retries": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "uncompensated": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "deviations": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/FlowDeviation"
                    }
                  },
                  "raw_started_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "raw_ended_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "steps_total": {
                    "type": "integer",
                    "description": "With `steps_from`/`steps_limit`: all steps of the flow."
                  },
                  "steps_from": {
                    "type": "integer",
                    "description": "With `steps_from`/`steps_limit`: the index of the first step returned."
                  },
                  "traces_total": {
                    "type": "integer",
                    "description": "In a page: all trace ids of the flow."
                  },
                  "traces_from": {
                    "type": "integer",
                    "description": "In a page: the index of the first trace id listed."
                  },
                  "outline": {
                    "$ref": "#/components/schemas/FlowOutline"
                  }
                }
              },
              "FlowOutline": {
                "type": "object",
                "description": "A flow's shape: per step (publish order) [type index, cause index, flags, compensates index]; -1 for none or never seen; flags add 1 compensation, 2 compensated, 4 troubled delivery, 8 not consumed, 16 error.",
                "required": [
                  "adjusted_deliveries",
                  "adjusted_steps",
                  "steps",
                  "types",
                  "uncertain"
                ],
                "properties": {
                  "adjusted_deliveries": {
                    "type": "integer"
                  },
                  "adjusted_steps": {
                    "type": "integer"
                  },
                  "steps": {
                    "type": "array",
                    "items": {
                      "type": "array",
                      "items": {
                        "type": "integer"
                      }
                    }
                  },
                  "types": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "uncertain": {
                    "type": "integer"
                  }
                }
              },
              "FlowStep": {
                "type": "object",
                "required": [
                  "message_id",
                  "type",
                  "source",
                  "causation_id",
                  "compensates",
                  "published_at",
                  "deliveries"
                ],
                "properties": {
                  "message_id": {
                    "type": "string"
                  },
                  "type": {
                    "type": "string"
                  },
                  "source": {
                    "type": "string"
                  },
                  "causation_id": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "compensates": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "published_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "topic": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "trace_id": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "span_id": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "deliveries": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/FlowDelivery"
                    }
                  },
                  "compensation": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "enum": [
                      "marked",
                      "declared",
                      null
                    ]
                  },
                  "compensated_by": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "adjusted_by_ms": {
                    "type": [
                      "number",
                      "null"
                    ]
                  },
                  "raw_published_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "time_uncertain": {
                    "type": "boolean"
                  }
                }
              },
              "FlowDelivery": {
                "type": "object",
                "required": [
                  "consumer",
                  "attempts",
                  "outcome",
                  "error",
                  "started_at",
                  "ended_at"
                ],
                "properties": {
                  "consumer": {
                    "type": "string"
                  },
                  "attempts": {
                    "type": "integer"
                  },
                  "outcome": {
                    "$ref": "#/components/schemas/DeliveryOutcome"
                  },
                  "error": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "started_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "ended_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "failed_attempts": {
                    "type": "integer"
                  },
                  "service": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "queue_ms": {
                    "type": [
                      "number",
                      "null"
                    ]
                  },
                  "handling_ms": {
                    "type": "number"
                  },
                  "attempt_log": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/FlowAttempt"
                    }
                  },
                  "adjusted_by_ms": {
                    "type": [
                      "number",
                      "null"
                    ]
                  },
                  "raw_started_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "raw_ended_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "time_uncertain": {
                    "type": "boolean"
                  }
                }
              },
              "FlowAttempt": {
                "type": "object",
                "required": [
                  "attempt",
                  "outcome"
                ],
                "properties": {
                  "attempt": {
                    "type": "integer"
                  },
                  "outcome": {
                    "$ref": "#/components/schemas/DeliveryOutcome"
                  },
                  "error": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "started_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "ended_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "duration_ms": {
                    "type": "number"
                  }
                }
              },
              "FlowDeviation": {
                "type": "object",
                "required": [
                  "kind",
                  "type",
                  "detail"
                ],
                "properties": {
                  "kind": {
                    "type": "string",
                    "enum": [
                      "unexpected_type",
                      "missing_step",
                      "wrong_order",
                      "slow_transition"
                    ]
                  },
                  "type": {
                    "type": "string"
                  },
                  "message_id": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "detail": {
                    "type": "string"
                  }
                }
              },
              "ProcessMap": {
                "type": "object",
                "required": [
                  "nodes",
                  "edges",
                  "flows"
                ],
                "properties": {
                  "nodes": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "type",
                        "count"
                      ],
                      "properties": {
                        "type": {
                          "type": "string"
                        },
                        "count": {
                          "type": "integer"
                        },
                        "starts": {
                          "type": "integer"
                        },
                        "ends": {
                          "type": "integer"
                        }
                      }
                    }
                  },
                  "edges": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "from",
                        "to",
                        "count"
                      ],
                      "properties": {
                        "from": {
                          "type": "string"
                        },
                        "to": {
                          "type": "string"
                        },
                        "count": {
                          "type": "integer"
                        },
                        "p50_ms": {
                          "type": [
                            "number",
                            "null"
                          ]
                        },
                        "p95_ms": {
                          "type": [
                            "number",
                            "null"
                          ]
                        }
                      }
                    }
                  },
                  "flows": {
                    "type": "integer",
                    "description": "Flows the map was built from."
                  }
                }
              },
              "VariantReport": {
                "type": "object",
                "required": [
                  "flows",
                  "variants"
                ],
                "properties": {
                  "flows": {
                    "type": "integer"
                  },
                  "variants": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "types",
                        "count",
                        "share",
                        "example"
                      ],
                      "properties": {
                        "types": {
                          "type": "array",
                          "items": {
                            "type": "string"
                          }
                        },
                        "count": {
                          "type": "integer"
                        },
                        "share": {
                          "type": "number",
                          "minimum": 0,
                          "maximum": 1
                        },
                        "example": {
                          "type": "string",
                          "description": "One flow's correlation id."
                        }
                      }
                    }
                  }
                }
              },
              "TraceSummary": {
                "type": "object",
                "required": [
                  "trace_id",
                  "root_name",
                  "service",
                  "start_time",
                  "duration_ms",
                  "span_count",
                  "error_count",
                  "correlation_ids"
                ],
                "properties": {
                  "trace_id": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{32}$"
                  },
                  "root_name": {
                    "type": "string"
                  },
                  "service": {
                    "type": "string"
                  },
                  "start_time": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "duration_ms": {
                    "type": "number"
                  },
                  "span_count": {
                    "type": "integer"
                  },
                  "error_count": {
                    "type": "integer"
                  },
                  "correlation_ids": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  }
                }
              },
              "TraceDocument": {
                "type": "object",
                "required": [
                  "trace_id",
                  "spans"
                ],
                "properties": {
                  "trace_id": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{32}$"
                  },
                  "spans": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Span"
                    }
                  }
                }
              },
              "Span": {
                "type": "object",
                "description": "A span as stored: ids lower-case hex, times Unix nanoseconds (exact) and RFC 3339.",
                "required": [
                  "trace_id",
                  "span_id",
                  "parent_span_id",
                  "name",
                  "kind",
                  "service",
                  "start_time_unix_nano",
                  "end_time_unix_nano",
                  "start_time",
                  "end_time",
                  "duration_ms",
                  "attributes",
                  "events",
                  "links",
                  "status",
                  "resource"
                ],
                "properties": {
                  "trace_id": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{32}$"
                  },
                  "span_id": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{16}$"
                  },
                  "parent_span_id": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "pattern": "^[0-9a-f]{16}$"
                  },
                  "trace_state": {
                    "type": "string"
                  },
                  "name": {
                    "type": "string"
                  },
                  "kind": {
                    "type": "string",
                    "enum": [
                      "unspecified",
                      "internal",
                      "server",
                      "client",
                      "producer",
                      "consumer"
                    ]
                  },
                  "service": {
                    "type": "string"
                  },
                  "start_time_unix_nano": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "end_time_unix_nano": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "start_time": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "end_time": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "duration_ms": {
                    "type": "number"
                  },
                  "attributes": {
                    "type": "object",
                    "additionalProperties": {
                      "$ref": "#/components/schemas/AttributeValue"
                    }
                  },
                  "events": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "name",
                        "time_unix_nano"
                      ],
                      "properties": {
                        "name": {
                          "type": "string"
                        },
                        "time_unix_nano": {
                          "type": "integer"
                        },
                        "attributes": {
                          "type": "object",
                          "additionalProperties": {
                            "$ref": "#/components/schemas/AttributeValue"
                          }
                        }
                      }
                    }
                  },
                  "links": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "trace_id",
                        "span_id"
                      ],
                      "properties": {
                        "trace_id": {
                          "type": "string",
                          "pattern": "^[0-9a-f]{32}$"
                        },
                        "span_id": {
                          "type": "string",
                          "pattern": "^[0-9a-f]{16}$"
                        },
                        "attributes": {
                          "type": "object",
                          "additionalProperties": {
                            "$ref": "#/components/schemas/AttributeValue"
                          }
                        }
                      }
                    }
                  },
                  "status": {
                    "type": "object",
                    "required": [
                      "code"
                    ],
                    "properties": {
                      "code": {
                        "type": "string",
                        "enum": [
                          "unset",
                          "ok",
                          "error"
                        ]
                      },
                      "message": {
                        "type": "string"
                      }
                    }
                  },
                  "resource": {
                    "type": "object",
                    "additionalProperties": {
                      "$ref": "#/components/schemas/AttributeValue"
                    }
                  },
                  "scope": {
                    "type": "string"
                  }
                }
              },
              "AttributeValue": {
                "description": "An OTLP attribute value: a string, integer, double, boolean, or an array of one of these.",
                "type": [
                  "string",
                  "number",
                  "boolean",
                  "array"
                ],
                "items": {
                  "type": [
                    "string",
                    "number",
                    "boolean"
                  ]
                }
              },
              "JaegerFailure": {
                "type": "object",
                "required": [
                  "data",
                  "total",
                  "limit",
                  "offset",
                  "errors"
                ],
                "properties": {
                  "data": {
                    "type": "null"
                  },
                  "total": {
                    "type": "integer"
                  },
                  "limit": {
                    "type": "integer"
                  },
                  "offset": {
                    "type": "integer"
                  },
                  "errors": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "code",
                        "msg"
                      ],
                      "properties": {
                        "code": {
                          "type": "integer"
                        },
                        "msg": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "JaegerKeyValue": {
                "type": "object",
                "required": [
                  "key",
                  "type",
                  "value"
                ],
                "properties": {
                  "key": {
                    "type": "string"
                  },
                  "type": {
                    "type": "string",
                    "enum": [
                      "string",
                      "bool",
                      "int64",
                      "float64",
                      "binary"
                    ]
                  },
                  "value": {
                    "type": [
                      "string",
                      "boolean",
                      "number"
                    ]
                  }
                }
              },
              "JaegerOperation": {
                "type": "object",
                "required": [
                  "name",
                  "spanKind"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "spanKind": {
                    "type": "string",
                    "description": "Empty for an unspecified kind."
                  }
                }
              },
              "JaegerDependencyLink": {
                "type": "object",
                "required": [
                  "parent",
                  "child",
                  "callCount"
                ],
                "properties": {
                  "parent": {
                    "type": "string"
                  },
                  "child": {
                    "type": "string"
                  },
                  "callCount": {
                    "type": "integer",
                    "minimum": 0
                  }
                }
              },
              "JaegerTrace": {
                "type": "object",
                "required": [
                  "traceID",
                  "spans",
                  "processes",
                  "warnings"
                ],
                "properties": {
                  "traceID": {
                    "type": "string"
                  },
                  "spans": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/JaegerSpan"
                    }
                  },
                  "processes": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "object",
                      "required": [
                        "serviceName",
                        "tags"
                      ],
                      "properties": {
                        "serviceName": {
                          "type": "string"
                        },
                        "tags": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/JaegerKeyValue"
                          }
                        }
                      }
                    }
                  },
                  "warnings": {
                    "type": "null"
                  }
                }
              },
              "JaegerSpan": {
                "type": "object",
                "description": "Times and durations in whole microseconds; ids lower-case hex.",
                "required": [
                  "traceID",
                  "spanID",
                  "flags",
                  "operationName",
                  "references",
                  "startTime",
                  "duration",
                  "tags",
                  "logs",
                  "processID",
                  "warnings"
                ],
                "properties": {
                  "traceID": {
                    "type": "string"
                  },
                  "spanID": {
                    "type": "string"
                  },
                  "flags": {
                    "type": "integer"
                  },
                  "operationName": {
                    "type": "string"
                  },
                  "references": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "refType",
                        "traceID",
                        "spanID"
                      ],
                      "properties": {
                        "refType": {
                          "type": "string",
                          "enum": [
                            "CHILD_OF",
                            "FOLLOWS_FROM"
                          ]
                        },
                        "traceID": {
                          "type": "string"
                        },
                        "spanID": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "startTime": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "duration": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "tags": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/JaegerKeyValue"
                    }
                  },
                  "logs": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "timestamp",
                        "fields"
                      ],
                      "properties": {
                        "timestamp": {
                          "type": "integer"
                        },
                        "fields": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/JaegerKeyValue"
                          }
                        }
                      }
                    }
                  },
                  "processID": {
                    "type": "string"
                  },
                  "warnings": {
                    "type": "null"
                  }
                }
              }
            }
          }
        }
        """#
}
