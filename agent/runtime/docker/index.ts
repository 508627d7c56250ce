/** The Docker implementation of ContainerRuntime and the images it builds locally. */
export { createDockerRuntime, DEFAULT_DOCKER_SOCKET, type DockerRuntimeOptions } from './docker-runtime.js';
export { buildBusyboxImage, ensurePauseImage, PAUSE_IMAGE, type BusyboxImageOptions } from './images.js';
