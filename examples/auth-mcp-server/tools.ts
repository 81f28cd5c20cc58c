import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { simulatedAlerts, simulatedForecast, simulatedWeather } from './weather.js';

/**
 * Scopes each tool needs. The auth middleware enforces them BEFORE the call reaches the MCP server
 * (403 insufficient_scope with the scope to step up to), so the handlers below hold no auth logic.
 */
export const TOOL_SCOPES = {
  'get-weather': [],
  'get-forecast': ['mcp:read'],
  'get-weather-alerts': ['mcp:admin'],
} as const satisfies Record<string, readonly string[]>;

function json(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

export function registerWeatherTools(server: McpServer): void {
  server.registerTool(
    'get-weather',
    {
      description: 'Get current weather for a city. No authentication required.',
      inputSchema: { city: z.string().describe('City name') },
    },
    ({ city }) => json(simulatedWeather(city)),
  );
  server.registerTool(
    'get-forecast',
    {
      description: 'Get 5-day weather forecast for a city. Requires mcp:read scope.',
      inputSchema: { city: z.string().describe('City name') },
    },
    ({ city }) => json({ city, forecast: simulatedForecast(city) }),
  );
  server.registerTool(
    'get-weather-alerts',
    {
      description: 'Get weather alerts for a region. Requires mcp:admin scope.',
      inputSchema: { region: z.string().describe('Region or state name') },
    },
    ({ region }) => json({ region, alerts: simulatedAlerts(region) }),
  );
}
