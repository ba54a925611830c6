/** The choices the apps offer, in seconds: off, an hour, a day, a week, four weeks. */
export const DISAPPEARING_CHOICES: readonly number[] = [0, 3_600, 86_400, 604_800, 2_419_200];
