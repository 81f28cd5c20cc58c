/** The seed's deterministic weather simulation, kept bit-for-bit so its vectors still hold. */

export const CONDITIONS = ['Sunny', 'Cloudy', 'Rainy', 'Partly Cloudy', 'Windy', 'Stormy'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** Sum of the string's UTF-16 code units. */
export function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h += s.charCodeAt(i);
  return h;
}

export function conditionFor(s: string, offset = 0): Condition {
  return CONDITIONS[(hashOf(s) + offset) % CONDITIONS.length] as Condition;
}

export function temperatureFor(s: string, offset = 0): number {
  return 10 + ((hashOf(s) + offset * 7) % 26);
}

export interface CurrentWeather {
  city: string;
  temperature: number;
  condition: Condition;
  humidity: number;
  windSpeed: number;
}

export function simulatedWeather(city: string): CurrentWeather {
  const h = hashOf(city);
  return { city, temperature: temperatureFor(city), condition: conditionFor(city), humidity: 40 + (h % 40), windSpeed: 5 + (h % 25) };
}

export interface ForecastDay {
  day: string;
  high: number;
  low: number;
  condition: Condition;
}

const DAYS = ['Today', 'Tomorrow', 'Day 3', 'Day 4', 'Day 5'] as const;

export function simulatedForecast(city: string): ForecastDay[] {
  return DAYS.map((day, i) => ({
    day,
    high: temperatureFor(city, i) + 5,
    low: temperatureFor(city, i) - 5,
    condition: conditionFor(city, i),
  }));
}

export interface WeatherAlert {
  type: string;
  severity: 'low' | 'moderate' | 'high';
  message: string;
}

export function simulatedAlerts(region: string): WeatherAlert[] {
  switch (hashOf(region) % 3) {
    case 0:
      return [{ type: 'Heat Warning', severity: 'moderate', message: `High temperatures expected in ${region}. Stay hydrated.` }];
    case 1:
      return [
        { type: 'Storm Watch', severity: 'high', message: `Severe thunderstorms possible in ${region}. Seek shelter if needed.` },
        { type: 'Wind Advisory', severity: 'low', message: `Strong winds expected in ${region}. Secure loose objects.` },
      ];
    default:
      return [];
  }
}
