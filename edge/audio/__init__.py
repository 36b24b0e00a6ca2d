"""Audio: PCM conversion, WAV files, ring buffer, playback queue, sources and sinks."""
