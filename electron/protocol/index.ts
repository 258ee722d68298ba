/** The EnOS device protocol (protocol reference): pure functions shared by the hub and our device clients. */
export * from './sign';
export * from './login';
export * from './topics';
export * from './envelope';
export * from './sub-device';
export * from './transport-auth';
