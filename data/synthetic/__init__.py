"""The synthetic city: derived geography, generator, seed and live simulator."""
