// @peculiar/x509 needs the Reflect metadata API before it loads.
import 'reflect-metadata';
