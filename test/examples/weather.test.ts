import { describe, expect, it } from 'vitest';
import { CONDITIONS, hashOf, simulatedAlerts, simulatedForecast, simulatedWeather } from '../../examples/auth-mcp-server/weather.js';

describe('deterministic weather simulation (seed vectors)', () => {
  it.each([
    ['London', 618, 30, 'Sunny', 58, 23],
    ['Seattle', 722, 30, 'Rainy', 42, 27],
    ['Tokyo', 534, 24, 'Sunny', 54, 14],
  ])('%s: h=%i → %i°, %s, humidity %i, wind %i', (city, h, temperature, condition, humidity, windSpeed) => {
    expect(hashOf(city)).toBe(h);
    expect(simulatedWeather(city)).toEqual({ city, temperature, condition, humidity, windSpeed });
  });

  it('alerts: Texas → Storm Watch + Wind Advisory, California → none, h%3==0 → Heat Warning', () => {
    expect(simulatedAlerts('Texas')).toEqual([
      { type: 'Storm Watch', severity: 'high', message: 'Severe thunderstorms possible in Texas. Seek shelter if needed.' },
      { type: 'Wind Advisory', severity: 'low', message: 'Strong winds expected in Texas. Secure loose objects.' },
    ]);
    expect(simulatedAlerts('California')).toEqual([]);
    // "c" is 99, a multiple of 3.
    expect(simulatedAlerts('c')).toEqual([{ type: 'Heat Warning', severity: 'moderate', message: 'High temperatures expected in c. Stay hydrated.' }]);
  });

  it('forecast: five named days, high/low = temp(i)±5, condition offset by the day', () => {
    const days = simulatedForecast('London');
    expect(days.map((d) => d.day)).toEqual(['Today', 'Tomorrow', 'Day 3', 'Day 4', 'Day 5']);
    // London: h=618; temp(i) = 10 + (618 + 7i) % 26; cond(i) = CONDITIONS[(618 + i) % 6].
    expect(days.map((d) => d.high)).toEqual([35, 16, 23, 30, 37]);
    expect(days.map((d) => d.low)).toEqual([25, 6, 13, 20, 27]);
    expect(days.map((d) => d.condition)).toEqual(['Sunny', 'Cloudy', 'Rainy', 'Partly Cloudy', 'Windy']);
  });

  it('hashes UTF-16 code units (a surrogate pair counts twice)', () => {
    expect(hashOf('')).toBe(0);
    expect(hashOf('😀')).toBe(0xd83d + 0xde00);
    expect(CONDITIONS).toHaveLength(6);
  });
});
