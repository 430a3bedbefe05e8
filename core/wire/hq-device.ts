/**
 * The device id under which the hub itself records HQ transactions (opening balances, corrections, manual
 * bonuses). Some kinds are accepted only from it, so core needs the name as much as the hub does.
 */
export const HQ_DEVICE_ID = 'hq';
