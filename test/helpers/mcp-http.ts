/** A stateless streamable-HTTP MCP server on 127.0.0.1 with one `search` tool: one McpServer per request, as the SDK does it without sessions. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpHttpServer {
  url: string;
  headers: http.IncomingHttpHeaders[];
  /** Queries the search tool was called with. */
  queries: string[];
  close(): Promise<void>;
}

export async function startMcpHttpServer(): Promise<McpHttpServer> {
  const headers: http.IncomingHttpHeaders[] = [];
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    const mcp = new McpServer({ name: 'test-docs', version: '1.0.0' });
    mcp.registerTool('search', { description: 'Searches the docs', inputSchema: { query: z.string() } }, ({ query }) => {
      queries.push(query);
      return { content: [{ type: 'text', text: `found: ${query}` }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => mcp.close()));
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    headers,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
